/* wa-messenger.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "wa-client.h"
#include "wa-media.h"
#include "wa-privacy.h"

G_BEGIN_DECLS

/* How long the server may take to ack a message (whatsmeow waits 75 s). */
#define WA_MESSENGER_ACK_TIMEOUT_MS (75 * 1000)

/* The longest message id a message may come with: WhatsApp's own are
 * 16 to 32 characters, and the sync server keeps no longer ones. */
#define WA_MESSENGER_MAX_ID_LEN 128

/* The most messages one receipt may confirm. A phone confirms at once
 * what was read of one chat, and a shop sends a customer a few messages,
 * not thousands; each id costs the app a lookup. */
#define WA_MESSENGER_MAX_RECEIPT_IDS 1024

/**
 * WaMediaMessage:
 * @type: %WA_MEDIA_IMAGE or %WA_MEDIA_DOCUMENT
 * @upload: where the blob is and its keys
 * @mimetype: what the content is
 * @caption: (nullable): the text shown with it
 * @file_name: (nullable): a document's name
 * @width: a picture's width, or 0
 * @height: a picture's height, or 0
 * @page_count: a document's pages, or 0 when unknown
 * @jpeg_thumbnail: (nullable): a small JPEG shown before the download
 *
 * A picture or document to send.
 */
typedef struct
{
  WaMediaType          type;
  const WaMediaUpload *upload;
  const char          *mimetype;
  const char          *caption;
  const char          *file_name;
  guint                width;
  guint                height;
  guint                page_count;
  GBytes              *jpeg_thumbnail;
} WaMediaMessage;

/**
 * WaIncomingMedia:
 * @type: what it is (image, video, audio, document)
 * @mimetype: (nullable): what the sender says it is
 * @file_name: (nullable): a document's name
 * @direct_path: where it is on the media host
 * @media_key: its key
 * @file_sha256: the SHA-256 of the content
 * @file_enc_sha256: the SHA-256 of the blob
 * @jpeg_thumbnail: (nullable): the sender's small preview
 * @file_length: the size of the content, as the sender says
 * @width: a picture's width, or 0
 * @height: a picture's height, or 0
 * @sticker: a picture sent as a sticker
 *
 * The media a message refers to; the message's text is its caption.
 */
typedef struct
{
  WaMediaType  type;
  char        *mimetype;
  char        *file_name;
  char        *direct_path;
  GBytes      *media_key;
  GBytes      *file_sha256;
  GBytes      *file_enc_sha256;
  GBytes      *jpeg_thumbnail;
  guint64      file_length;
  guint        width;
  guint        height;
  gboolean     sticker;
} WaIncomingMedia;

void wa_incoming_media_free (WaIncomingMedia *media);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WaIncomingMedia, wa_incoming_media_free)

/**
 * WaIncomingMessage:
 * @id: the message id
 * @sender: the device it came from
 * @chat: the account it came from: its phone-number user JID whenever
 *   known (from the message's sender_pn or an earlier one), else its LID
 * @text: the text or a media's caption, or %NULL
 * @media: (nullable): the picture or file it carries
 * @push_name: (nullable): the name the sender gave WhatsApp
 * @timestamp: when the sender sent it, Unix seconds
 * @offline: it waited on the server while we were away
 *
 * A message someone sent to this account, decrypted.
 */
typedef struct
{
  char     *id;
  char     *sender;
  char     *chat;
  char            *text;
  WaIncomingMedia *media;
  char            *push_name;
  gint64           timestamp;
  gboolean         offline;
} WaIncomingMessage;

#define WA_TYPE_INCOMING_MESSAGE (wa_incoming_message_get_type ())
GType              wa_incoming_message_get_type (void) G_GNUC_CONST;
WaIncomingMessage *wa_incoming_message_copy     (const WaIncomingMessage *message);
void               wa_incoming_message_free     (WaIncomingMessage       *message);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WaIncomingMessage, wa_incoming_message_free)

#define WA_TYPE_MESSENGER (wa_messenger_get_type ())

/* End-to-end encrypted 1:1 messages over a WaClient (protocol notes §7–8):
 * sending text to an account's devices (and a copy to our own other
 * devices), and receiving, decrypting and confirming what others send.
 * Signals: "message" (WaIncomingMessage, only while wa_messenger_set_keeping ()
 * says someone keeps customers' messages; a handler returns %TRUE to keep
 * it, and then calls wa_messenger_confirm () once kept or
 * wa_messenger_forget () if it could not be), "receipt" (message id, the
 * device or account that sent it, its type or %NULL for "delivered", Unix
 * time), "protocol-message" (message id, the serialized Message) for what
 * our own phone tells this device: app-state keys, history. Lives on the
 * client's thread. */
G_DECLARE_FINAL_TYPE (WaMessenger, wa_messenger, WA, MESSENGER, GObject)

WaMessenger *wa_messenger_new              (WaClient            *client);
void         wa_messenger_send_text_async  (WaMessenger         *self,
                                            const char          *to,
                                            const char          *id,
                                            const char          *text,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean     wa_messenger_send_text_finish (WaMessenger         *self,
                                            GAsyncResult        *result,
                                            GError             **error);
void         wa_messenger_send_media_async (WaMessenger         *self,
                                            const char          *to,
                                            const char          *id,
                                            const WaMediaMessage *media,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
void         wa_messenger_prefetch         (WaMessenger         *self,
                                            const char * const  *users);
void         wa_messenger_forget_devices   (WaMessenger         *self,
                                            const char          *user);
void         wa_messenger_confirm          (WaMessenger         *self,
                                            const char          *id);
void         wa_messenger_forget           (WaMessenger         *self,
                                            const char          *id);
void         wa_messenger_set_keeping      (WaMessenger         *self,
                                            gboolean             keeping);
void         wa_messenger_send_peer_async  (WaMessenger         *self,
                                            GBytes              *message,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean     wa_messenger_send_peer_finish (WaMessenger         *self,
                                            GAsyncResult        *result,
                                            GError             **error);
WaPrivacy   *wa_messenger_get_privacy      (WaMessenger         *self);

G_END_DECLS
