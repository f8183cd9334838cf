/* wa-websocket.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wa-websocket"

#include "config.h"

#include <libsoup/soup.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "wa-error.h"
#include "wa-websocket.h"
#include "wa-websocket-frame.h"
#include "xi-random.h"

/*
 * The WebSocket under the WhatsApp connection, done here rather than by
 * libsoup 3.2's SoupWebsocketConnection, which builds a new input source
 * for every read, and formats debug lines nobody reads: measured, that
 * was most of the network thread's system calls and allocations per
 * message.
 *
 * GSocketClient connects (through the default proxy resolver, and TLS for
 * wss), the HTTP/1.1 upgrade is written and checked here, then one
 * socket source reads for the life of the connection: GLib wakes its own
 * loop each time a source's descriptor is added or removed, which it
 * also does around each dispatch of a source that cannot recurse or has
 * a child (a pollable stream's source does), so that costs several
 * system calls per message.
 *
 * While the owner has asked to receive nothing, the socket is not read
 * and no message is handed out: TCP's window fills and the server keeps
 * the rest. Sending goes on meanwhile.
 *
 * A message leaves at once, in one write, unless it is sent while
 * received messages are handed out: the answers to a batch leave
 * together after it. While the server does not take our bytes they
 * wait, up to WA_WEBSOCKET_MAX_QUEUED, with a source watching for room.
 */

/* RFC 6455 §1.3 */
#define ACCEPT_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
/* What libsoup's session allowed the upgrade, and the socket until then. */
#define CONNECT_TIMEOUT_S 60
/* The server's answer to the upgrade, at most. */
#define MAX_RESPONSE (16 * 1024)
/* How long a close waits for the server's. */
#define CLOSE_TIMEOUT_MS 2000
/* Past this, an emptied send queue is given back. */
#define KEEP_QUEUE_MAX (64 * 1024)

typedef enum {
  STATE_CONNECTING,
  STATE_OPEN,
  STATE_CLOSING,   /* our close frame is out; waiting for the server's */
  STATE_CLOSED,
} State;

struct _WaWebsocket
{
  GObject                parent_instance;

  State                  state;
  GMainContext          *context;
  GIOStream             *stream;
  gboolean               secure;
  GPollableInputStream  *input;
  GPollableOutputStream *output;
  WaWebsocketReader     *reader;
  guint                  delivering;      /* sends wait for the end of the batch */
  gboolean               paused;          /* the owner wants no message for now */

  GByteArray            *queue;           /* frames not yet written */
  gsize                  queue_sent;
  gboolean               pong_due;        /* the latest ping waits for its answer */
  guint8                 pong[WA_WEBSOCKET_CONTROL_MAX];
  gsize                  pong_len;

  GSource               *readable;
  GSource               *unread;          /* hands out what was read before: with the upgrade's
                                           * answer, or before a pause */
  GSource               *writable;        /* while the server takes no more */
  GSource               *close_deadline;  /* holds a reference while closing */

  /* The upgrade, until it is done */
  GTask                 *connect_task;
  char                  *request;
  char                  *expected_accept;
  guint8                *response;
  gsize                  response_len;
};

G_DEFINE_FINAL_TYPE (WaWebsocket, wa_websocket, G_TYPE_OBJECT)

enum {
  MESSAGE,
  CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
clear_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

/* Hands what is queued to the socket, as far as it takes it now. */
static gboolean flush (WaWebsocket *self, GError **error);

/* Stops reading and writing for good; what is queued gets one try. */
static void
shut (WaWebsocket *self)
{
  clear_source (&self->readable);
  clear_source (&self->unread);
  clear_source (&self->writable);
  if (self->stream == NULL)
    return;
  if (self->queue->len > self->queue_sent && !g_io_stream_is_closed (self->stream))
    flush (self, NULL);
  clear_source (&self->writable);
  /* A TLS close may wait for the peer; nothing here waits for it. */
  g_io_stream_close_async (self->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
}

/* Ends the connection once; @error (owned, %NULL after our own close)
 * goes to the "closed" signal. */
static void
terminate (WaWebsocket *self,
           GError      *error)
{
  g_autoptr(GError) owned = error;
  g_autoptr(WaWebsocket) alive = g_object_ref (self);

  if (self->state == STATE_CLOSED)
    return;
  self->state = STATE_CLOSED;
  shut (self);
  g_signal_emit (self, signals[CLOSED], 0, owned);
  clear_source (&self->close_deadline);
}

static void
append_pong (WaWebsocket *self)
{
  if (!self->pong_due)
    return;
  self->pong_due = FALSE;
  wa_websocket_frame_append (self->queue, WA_WEBSOCKET_OPCODE_PONG, self->pong, self->pong_len);
}

static void
queue_close (WaWebsocket *self,
             guint16      code,
             const char  *reason)
{
  guint8 payload[WA_WEBSOCKET_CONTROL_MAX];
  gsize len = 0;

  if (code != WA_WEBSOCKET_CLOSE_NO_STATUS)
    {
      gsize reason_len = reason != NULL ? strlen (reason) : 0;

      payload[0] = (guint8) (code >> 8);
      payload[1] = (guint8) code;
      /* Cut at a character's start, so the reason stays UTF-8. */
      reason_len = MIN (reason_len, sizeof payload - 2);
      while (reason_len > 0 && (reason[reason_len] & 0xc0) == 0x80)
        reason_len--;
      if (reason_len > 0)
        memcpy (payload + 2, reason, reason_len);
      len = 2 + reason_len;
    }
  /* Nothing may follow a close frame, so a ping still unanswered gets
   * its pong now. */
  append_pong (self);
  wa_websocket_frame_append (self->queue, WA_WEBSOCKET_OPCODE_CLOSE, payload, len);
}

static void
fail_io (WaWebsocket  *self,
         const GError *error)
{
  terminate (self, g_error_new (WA_ERROR, WA_ERROR_CONNECTION_CLOSED, "The connection failed: %s",
                                error->message));
}

static gboolean
writable_cb (GObject  *stream,
             gpointer  user_data)
{
  WaWebsocket *self = user_data;
  g_autoptr(WaWebsocket) alive = g_object_ref (self);
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&self->writable, g_source_unref);
  if (!flush (self, &error))
    fail_io (self, error);
  return G_SOURCE_REMOVE;
}

/* Only the latest ping needs an answer (RFC 6455 §5.5.3), so its pong
 * joins the queue once everything before it has left: a peer that pings
 * without reading makes us keep one pong, not one per ping, and pongs
 * need no share of WA_WEBSOCKET_MAX_QUEUED. */
static gboolean
flush (WaWebsocket  *self,
       GError      **error)
{
  while (self->queue_sent < self->queue->len)
    {
      GError *local_error = NULL;
      gssize written = g_pollable_output_stream_write_nonblocking (self->output,
                                                                   self->queue->data + self->queue_sent,
                                                                   self->queue->len - self->queue_sent,
                                                                   NULL, &local_error);

      if (written < 0 && g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          g_error_free (local_error);
          if (self->writable == NULL && self->state != STATE_CLOSED)
            {
              self->writable = g_pollable_output_stream_create_source (self->output, NULL);
              g_source_set_callback (self->writable, G_SOURCE_FUNC (writable_cb), self, NULL);
              g_source_attach (self->writable, self->context);
            }
          return TRUE;
        }
      if (written < 0)
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      self->queue_sent += (gsize) written;
    }

  self->queue_sent = 0;
  if (self->queue->len > KEEP_QUEUE_MAX)
    {
      g_byte_array_unref (self->queue);
      self->queue = g_byte_array_new ();
    }
  else
    g_byte_array_set_size (self->queue, 0);
  if (self->pong_due && self->state == STATE_OPEN)
    {
      append_pong (self);
      return flush (self, error);
    }
  return TRUE;
}

static void
handle_close_frame (WaWebsocket *self,
                    GBytes      *payload)
{
  guint16 code = wa_websocket_close_payload_get_code (payload);

  if (self->state == STATE_CLOSING)
    {
      terminate (self, NULL);
      return;
    }

  queue_close (self, code, NULL);
  terminate (self, g_error_new (WA_ERROR, WA_ERROR_CONNECTION_CLOSED,
                                "The server closed the connection (code %u)", code));
}

static void deliver_batch (WaWebsocket *self);

/* Hands out every whole message read so far, then sends what the
 * handlers sent; stops when the connection ends, which a "message"
 * handler may also do. */
static void
deliver (WaWebsocket *self)
{
  g_autoptr(WaWebsocket) alive = g_object_ref (self);
  g_autoptr(GError) error = NULL;

  self->delivering++;
  deliver_batch (self);
  self->delivering--;
  if (self->state != STATE_CLOSED && !flush (self, &error))
    fail_io (self, error);
}

static void
deliver_batch (WaWebsocket *self)
{
  while ((self->state == STATE_OPEN || self->state == STATE_CLOSING) && !self->paused)
    {
      g_autoptr(GBytes) payload = NULL;
      g_autoptr(GError) error = NULL;
      WaWebsocketOpcode opcode;

      if (!wa_websocket_reader_next (self->reader, &opcode, &payload, &error))
        {
          guint16 code = wa_websocket_reader_get_close_code (self->reader);

          if (error == NULL)
            return;
          /* After our own close frame, nothing more may be sent. */
          if (self->state == STATE_OPEN)
            queue_close (self, code, NULL);
          /* Text is refused as the frames inside used to be; the rest is
           * a broken transport, which the owner reconnects after. */
          if (code != WA_WEBSOCKET_CLOSE_UNSUPPORTED_DATA)
            error->code = WA_ERROR_CONNECTION_CLOSED;
          terminate (self, g_steal_pointer (&error));
          return;
        }

      switch (opcode)
        {
        case WA_WEBSOCKET_OPCODE_BINARY:
          if (self->state == STATE_OPEN)
            g_signal_emit (self, signals[MESSAGE], 0, payload);
          break;
        case WA_WEBSOCKET_OPCODE_PING:
          if (self->state == STATE_OPEN)
            {
              /* The reader refuses longer control frames. */
              self->pong_len = MIN (g_bytes_get_size (payload), sizeof self->pong);
              if (self->pong_len > 0)
                memcpy (self->pong, g_bytes_get_data (payload, NULL), self->pong_len);
              self->pong_due = TRUE;
            }
          break;
        case WA_WEBSOCKET_OPCODE_CLOSE:
          handle_close_frame (self, payload);
          break;
        case WA_WEBSOCKET_OPCODE_PONG:
        case WA_WEBSOCKET_OPCODE_CONTINUATION:
        case WA_WEBSOCKET_OPCODE_TEXT:
        default:
          break;
        }
    }
}

static void
read_ended (WaWebsocket *self)
{
  GError *error = NULL;

  if (!wa_websocket_reader_finish (self->reader, &error))
    {
      error->code = WA_ERROR_CONNECTION_CLOSED;
      terminate (self, error);
    }
  else if (self->state == STATE_CLOSING)
    terminate (self, NULL);
  else
    terminate (self, g_error_new_literal (WA_ERROR, WA_ERROR_CONNECTION_CLOSED,
                                          "The server closed the connection without a close frame"));
}

/* Reads once; %FALSE when there was nothing to read or the connection
 * ended. */
static gboolean
read_once (WaWebsocket *self)
{
  g_autoptr(GError) error = NULL;
  gsize space = 0;
  guint8 *buffer = wa_websocket_reader_get_space (self->reader, &space);
  gssize got = g_pollable_input_stream_read_nonblocking (self->input, buffer, space, NULL, &error);

  if (got < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    return FALSE;
  if (got < 0)
    {
      fail_io (self, error);
      return FALSE;
    }
  if (got == 0)
    {
      read_ended (self);
      return FALSE;
    }

  wa_websocket_reader_commit (self->reader, (gsize) got);
  deliver (self);
  return self->state != STATE_CLOSED;
}

/* Reads while the socket has something and the owner wants it. */
static void
read_available (WaWebsocket *self)
{
  /* What was read before goes first. */
  if (self->unread != NULL)
    {
      clear_source (&self->unread);
      deliver (self);
      if (self->state == STATE_CLOSED || self->paused)
        return;
    }

  /* TLS may hold decrypted bytes the socket no longer signals. */
  if (read_once (self) && self->secure)
    while (!self->paused && g_pollable_input_stream_is_readable (self->input) && read_once (self))
      ;
}

static gboolean
readable_cb (GSocket      *socket,
             GIOCondition  condition,
             gpointer      user_data)
{
  WaWebsocket *self = user_data;
  g_autoptr(WaWebsocket) alive = g_object_ref (self);

  read_available (self);
  return G_SOURCE_CONTINUE;
}

static void
watch_socket (WaWebsocket *self)
{
  self->readable = g_socket_create_source (g_socket_connection_get_socket (G_SOCKET_CONNECTION (self->stream)),
                                           G_IO_IN, NULL);
  g_source_set_callback (self->readable, G_SOURCE_FUNC (readable_cb), self, NULL);
  /* Our reads may nest: the reader is whole between two messages. */
  g_source_set_can_recurse (self->readable, TRUE);
  g_source_attach (self->readable, self->context);
}

static gboolean
unread_cb (gpointer user_data)
{
  WaWebsocket *self = user_data;
  g_autoptr(WaWebsocket) alive = g_object_ref (self);

  g_clear_pointer (&self->unread, g_source_unref);
  deliver (self);
  /* After a pause: the socket is watched again, and read at once, since
   * TLS may hold bytes it will not signal again. */
  if (self->readable == NULL && self->state != STATE_CLOSED && !self->paused)
    {
      watch_socket (self);
      read_available (self);
    }
  return G_SOURCE_REMOVE;
}

static void
deliver_unread_soon (WaWebsocket *self)
{
  self->unread = g_idle_source_new ();
  g_source_set_callback (self->unread, unread_cb, self, NULL);
  g_source_attach (self->unread, self->context);
}

static void
open_connection (WaWebsocket *self,
                 gboolean     unread)
{
  self->state = STATE_OPEN;
  self->input = G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (self->stream));
  self->output = G_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (self->stream));
  watch_socket (self);

  /* The socket may have nothing more to say about these. */
  if (unread)
    deliver_unread_soon (self);
}

/* The upgrade */

static void
finish_connect (WaWebsocket *self,
                GError      *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->connect_task);

  g_clear_pointer (&self->request, g_free);
  g_clear_pointer (&self->expected_accept, g_free);
  g_clear_pointer (&self->response, g_free);
  if (error != NULL)
    {
      self->state = STATE_CLOSED;
      if (self->stream != NULL)
        g_io_stream_close_async (self->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_object_ref (self), g_object_unref);
}

static GError *
refused (const char *why)
{
  return g_error_new (WA_ERROR, WA_ERROR_CONNECTION_CLOSED, "The server refused the WebSocket upgrade: %s", why);
}

/* Checks the server's answer (§4.2.2); nothing was offered beyond the
 * plain protocol, so an extension or subprotocol is refused. */
static GError *
check_response (WaWebsocket *self,
                gsize        header_len)
{
  g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  g_autofree char *reason = NULL;
  const char *accept;
  guint status = 0;

  if (!soup_headers_parse_response ((const char *) self->response, (int) header_len, headers, NULL, &status,
                                    &reason))
    return refused ("its answer is not HTTP");
  if (status != SOUP_STATUS_SWITCHING_PROTOCOLS)
    {
      g_autofree char *why = g_strdup_printf ("HTTP status %u", status);

      return refused (why);
    }
  if (!soup_message_headers_header_equals (headers, "Upgrade", "websocket") ||
      !soup_message_headers_header_contains (headers, "Connection", "upgrade"))
    return refused ("it did not switch to WebSocket");
  accept = soup_message_headers_get_one (headers, "Sec-WebSocket-Accept");
  if (g_strcmp0 (accept, self->expected_accept) != 0)
    return refused ("its Sec-WebSocket-Accept does not match the key");
  if (soup_message_headers_get_one (headers, "Sec-WebSocket-Extensions") != NULL ||
      soup_message_headers_get_one (headers, "Sec-WebSocket-Protocol") != NULL)
    return refused ("it chose an extension or subprotocol that was not offered");
  return NULL;
}

static void response_read_cb (GObject *object, GAsyncResult *result, gpointer user_data);

static void
read_response (WaWebsocket *self)
{
  g_input_stream_read_async (g_io_stream_get_input_stream (self->stream), self->response + self->response_len,
                             MAX_RESPONSE - self->response_len, G_PRIORITY_DEFAULT,
                             g_task_get_cancellable (self->connect_task), response_read_cb, self);
}

static void
response_read_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  WaWebsocket *self = user_data;
  GError *error = NULL;
  gssize got = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);
  gsize searched_from = self->response_len >= 3 ? self->response_len - 3 : 0;
  const guint8 *end;
  gsize header_len;
  gsize rest;

  if (got < 0)
    {
      finish_connect (self, error);
      return;
    }
  if (got == 0)
    {
      finish_connect (self, refused ("it closed the connection"));
      return;
    }
  self->response_len += (gsize) got;

  end = memmem (self->response + searched_from, self->response_len - searched_from, "\r\n\r\n", 4);
  if (end == NULL && self->response_len == MAX_RESPONSE)
    {
      finish_connect (self, refused ("its answer is too long"));
      return;
    }
  if (end == NULL)
    {
      read_response (self);
      return;
    }

  header_len = (gsize) (end - self->response) + 4;
  if ((error = check_response (self, header_len)) != NULL)
    {
      finish_connect (self, error);
      return;
    }

  /* What came after the answer is the start of the frames. */
  rest = self->response_len - header_len;
  if (rest > 0)
    {
      gsize space = 0;
      guint8 *buffer = wa_websocket_reader_get_space (self->reader, &space);

      memcpy (buffer, self->response + header_len, rest);
      wa_websocket_reader_commit (self->reader, rest);
    }

  g_socket_set_timeout (g_socket_connection_get_socket (G_SOCKET_CONNECTION (self->stream)), 0);
  open_connection (self, rest > 0);
  finish_connect (self, NULL);
}

static void
request_written_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  WaWebsocket *self = user_data;
  GError *error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, &error))
    {
      finish_connect (self, error);
      return;
    }
  self->response = g_malloc (MAX_RESPONSE);
  read_response (self);
}

static void
connected_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  WaWebsocket *self = user_data;
  GError *error = NULL;

  self->stream = G_IO_STREAM (g_socket_client_connect_finish (G_SOCKET_CLIENT (object), result, &error));
  if (self->stream == NULL)
    {
      finish_connect (self, error);
      return;
    }
  /* A request waits for its answer before the next goes: Nagle's
   * algorithm would hold each small frame for the server's delayed ack. */
  if (!g_socket_set_option (g_socket_connection_get_socket (G_SOCKET_CONNECTION (self->stream)), IPPROTO_TCP,
                            TCP_NODELAY, TRUE, &error))
    {
      finish_connect (self, error);
      return;
    }
  g_output_stream_write_all_async (g_io_stream_get_output_stream (self->stream), self->request,
                                   strlen (self->request), G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (self->connect_task), request_written_cb, self);
}

static char *
accept_for_key (const char *key)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA1);
  guint8 digest[20];
  gsize digest_len = sizeof digest;

  g_checksum_update (checksum, (const guchar *) key, -1);
  g_checksum_update (checksum, (const guchar *) ACCEPT_GUID, -1);
  g_checksum_get_digest (checksum, digest, &digest_len);
  return g_base64_encode (digest, digest_len);
}

static char *
upgrade_request (GUri       *uri,
                 const char *origin,
                 const char *key)
{
  const char *host = g_uri_get_host (uri);
  const char *query = g_uri_get_query (uri);
  const char *path = g_uri_get_path (uri);
  g_autofree char *host_header = strchr (host, ':') != NULL ? g_strdup_printf ("[%s]", host) : g_strdup (host);
  GString *request = g_string_new (NULL);

  g_string_append_printf (request, "GET %s%s%s HTTP/1.1\r\n", *path != '\0' ? path : "/",
                          query != NULL ? "?" : "", query != NULL ? query : "");
  g_string_append_printf (request, "Host: %s", host_header);
  if (g_uri_get_port (uri) != -1)
    g_string_append_printf (request, ":%d", g_uri_get_port (uri));
  g_string_append (request, "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n");
  g_string_append_printf (request, "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n", key);
  if (origin != NULL)
    g_string_append_printf (request, "Origin: %s\r\n", origin);
  g_string_append (request, "\r\n");
  return g_string_free (request, FALSE);
}

static void
wa_websocket_dispose (GObject *object)
{
  WaWebsocket *self = (WaWebsocket *)object;

  self->state = STATE_CLOSED;
  shut (self);
  clear_source (&self->close_deadline);
  g_clear_object (&self->stream);

  G_OBJECT_CLASS (wa_websocket_parent_class)->dispose (object);
}

static void
wa_websocket_finalize (GObject *object)
{
  WaWebsocket *self = (WaWebsocket *)object;

  g_clear_pointer (&self->reader, wa_websocket_reader_free);
  g_byte_array_unref (self->queue);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (wa_websocket_parent_class)->finalize (object);
}

static void
wa_websocket_class_init (WaWebsocketClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wa_websocket_dispose;
  object_class->finalize = wa_websocket_finalize;

  signals[MESSAGE] = g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BYTES);
  signals[CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
wa_websocket_init (WaWebsocket *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->queue = g_byte_array_new ();
}

/**
 * wa_websocket_connect_async:
 * @url: a ws:// or wss:// address
 * @origin: (nullable): the Origin header to send
 * @max_message: the largest message the server may send; a larger one
 *   closes the connection (code 1009)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once the upgrade is done or failed
 * @user_data: closure
 *
 * Connects and upgrades to a WebSocket. The connection and the upgrade
 * together must not take longer than a minute.
 */
void
wa_websocket_connect_async (const char          *url,
                            const char          *origin,
                            gsize                max_message,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(WaWebsocket) self = g_object_new (WA_TYPE_WEBSOCKET, NULL);
  g_autoptr(GSocketClient) client = NULL;
  g_autoptr(GSocketConnectable) address = NULL;
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  g_autofree char *http_url = NULL;
  g_autofree char *key = NULL;
  GError *error = NULL;
  guint8 nonce[16];
  gboolean secure;

  g_return_if_fail (url != NULL);

  self->connect_task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (self->connect_task, wa_websocket_connect_async);
  /* Nothing else holds the connection until the upgrade is over. */
  g_task_set_task_data (self->connect_task, g_object_ref (self), g_object_unref);
  self->reader = wa_websocket_reader_new (max_message);

  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' ||
      (g_strcmp0 (g_uri_get_scheme (uri), "ws") != 0 && g_strcmp0 (g_uri_get_scheme (uri), "wss") != 0))
    {
      finish_connect (self, g_error_new (WA_ERROR, WA_ERROR_FAILED, "“%s” is not a WebSocket address", url));
      return;
    }
  secure = g_str_equal (g_uri_get_scheme (uri), "wss");
  self->secure = secure;

  xi_random_bytes (nonce, sizeof nonce);
  key = g_base64_encode (nonce, sizeof nonce);
  self->expected_accept = accept_for_key (key);
  self->request = upgrade_request (uri, origin, key);

  /* The proxy resolver knows http and https, not ws and wss. */
  http_url = g_uri_join (G_URI_FLAGS_NONE, secure ? "https" : "http", NULL, g_uri_get_host (uri),
                         g_uri_get_port (uri), g_uri_get_path (uri), g_uri_get_query (uri), NULL);
  address = g_network_address_parse_uri (http_url, secure ? 443 : 80, &error);
  if (address == NULL)
    {
      finish_connect (self, error);
      return;
    }

  client = g_socket_client_new ();
  g_socket_client_set_tls (client, secure);
  g_socket_client_set_timeout (client, CONNECT_TIMEOUT_S);
  g_socket_client_connect_async (client, address, cancellable, connected_cb, self);
}

/**
 * wa_websocket_connect_finish:
 *
 * Connect to the signals before returning to the main loop: messages
 * that came with the server's answer are emitted from there.
 *
 * Returns: (transfer full): the open WebSocket
 */
WaWebsocket *
wa_websocket_connect_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * wa_websocket_send:
 * @self: an open WebSocket
 * @message: (array length=len): one binary message
 * @len: its length
 * @error: return location for a #GError
 *
 * Sends @message as one frame: at once, or after the batch of received
 * messages being handed out, or once the server takes more. A server
 * that has left more than %WA_WEBSOCKET_MAX_QUEUED unread loses the
 * connection.
 *
 * Returns: %FALSE with %WA_ERROR_CONNECTION_CLOSED when the connection is
 *   closing or closed, or was just given up
 */
gboolean
wa_websocket_send (WaWebsocket   *self,
                   const guint8  *message,
                   gsize          len,
                   GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (WA_IS_WEBSOCKET (self), FALSE);

  if (self->state != STATE_OPEN)
    {
      g_set_error_literal (error, WA_ERROR, WA_ERROR_CONNECTION_CLOSED, "The connection is closing");
      return FALSE;
    }
  if (self->queue->len - self->queue_sent + len > WA_WEBSOCKET_MAX_QUEUED)
    {
      GError *stalled = g_error_new (WA_ERROR, WA_ERROR_CONNECTION_CLOSED,
                                     "The server stopped reading: %u bytes wait unsent",
                                     self->queue->len - (guint) self->queue_sent);

      g_set_error_literal (error, stalled->domain, stalled->code, stalled->message);
      terminate (self, stalled);
      return FALSE;
    }
  wa_websocket_frame_append (self->queue, WA_WEBSOCKET_OPCODE_BINARY, message, len);
  if (self->delivering > 0 || self->writable != NULL)
    return TRUE;
  if (!flush (self, &local_error))
    {
      g_set_error (error, WA_ERROR, WA_ERROR_CONNECTION_CLOSED, "The connection failed: %s", local_error->message);
      fail_io (self, local_error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
close_timed_out_cb (gpointer user_data)
{
  WaWebsocket *self = user_data;

  g_clear_pointer (&self->close_deadline, g_source_unref);
  terminate (self, NULL);
  return G_SOURCE_REMOVE;
}

/**
 * wa_websocket_close:
 * @self: a WebSocket
 * @code: the close code, normally %WA_WEBSOCKET_CLOSE_NORMAL
 * @reason: (nullable): why, cut to fit a control frame
 *
 * Starts the close handshake. The WebSocket keeps itself alive until the
 * server answers, for a short while at most; "closed" follows, without
 * an error.
 */
void
wa_websocket_close (WaWebsocket *self,
                    guint16      code,
                    const char  *reason)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (WA_IS_WEBSOCKET (self));

  if (self->state != STATE_OPEN)
    return;
  queue_close (self, code, reason);
  self->state = STATE_CLOSING;
  self->close_deadline = g_timeout_source_new (CLOSE_TIMEOUT_MS);
  g_source_set_callback (self->close_deadline, close_timed_out_cb, g_object_ref (self), g_object_unref);
  g_source_attach (self->close_deadline, self->context);
  if (!flush (self, &error))
    fail_io (self, error);
}

gboolean
wa_websocket_is_open (WaWebsocket *self)
{
  g_return_val_if_fail (WA_IS_WEBSOCKET (self), FALSE);
  return self->state == STATE_OPEN;
}

/**
 * wa_websocket_set_receiving:
 * @self: a WebSocket
 * @receiving: %FALSE to hand out no message for now
 *
 * Stops reading the socket, and handing out messages already read, until
 * called with %TRUE; those come first then, in order, from the main loop.
 * The server's further bytes wait in TCP's buffers and window. Sending
 * is not affected.
 */
void
wa_websocket_set_receiving (WaWebsocket *self,
                            gboolean     receiving)
{
  g_return_if_fail (WA_IS_WEBSOCKET (self));

  if (self->paused == !receiving)
    return;
  self->paused = !receiving;
  if (self->state != STATE_OPEN && self->state != STATE_CLOSING)
    return;
  clear_source (&self->readable);
  clear_source (&self->unread);
  if (receiving)
    deliver_unread_soon (self);
}
