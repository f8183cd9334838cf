/* xi-transport.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-transport"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-asset.h"
#include "xi-transport.h"

G_DEFINE_QUARK (xi-transport-error-quark, xi_transport_error)

G_DEFINE_INTERFACE (XiTransport, xi_transport, G_TYPE_OBJECT)

enum {
  RECEIPT,
  INCOMING,
  INCOMING_MEDIA,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
download_media_unsupported (XiTransport         *self,
                            const XiMediaInfo   *media,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_task_report_new_error (self, callback, user_data, download_media_unsupported,
                           XI_TRANSPORT_ERROR, XI_TRANSPORT_ERROR_NOT_SUPPORTED,
                           _("Files cannot be downloaded through this connection."));
}

static GBytes *
download_media_finish_unsupported (XiTransport   *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
xi_transport_default_init (XiTransportInterface *iface)
{
  iface->download_media_async = download_media_unsupported;
  iface->download_media_finish = download_media_finish_unsupported;

  /**
   * XiTransport:state:
   *
   * Whether messages can go out now (an #XiTransportState).
   */
  g_object_interface_install_property (iface,
                                       g_param_spec_int ("state", NULL, NULL,
                                                         XI_TRANSPORT_STATE_DISCONNECTED,
                                                         XI_TRANSPORT_STATE_CONNECTED,
                                                         XI_TRANSPORT_STATE_DISCONNECTED,
                                                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * XiTransport::receipt:
   * @message_id: the message
   * @state: %XI_RECIPIENT_STATE_DELIVERED or %XI_RECIPIENT_STATE_READ
   * @timestamp: when, Unix seconds
   */
  signals[RECEIPT] = g_signal_new ("receipt", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                                   G_TYPE_STRING, G_TYPE_INT, G_TYPE_INT64);

  /**
   * XiTransport::incoming:
   * @phone: the sender, E.164 digits
   * @message_id: the sender's message id
   * @text: what they wrote
   */
  signals[INCOMING] = g_signal_new ("incoming", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                                    G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);

  /**
   * XiTransport::incoming-media:
   * @phone: the sender, E.164 digits
   * @message_id: the sender's message id
   * @caption: (nullable): what they wrote with it
   * @media: the picture, video, voice note or file, not downloaded yet
   */
  signals[INCOMING_MEDIA] = g_signal_new ("incoming-media", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 4,
                                          G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING,
                                          XI_TYPE_MEDIA_INFO | G_SIGNAL_TYPE_STATIC_SCOPE);
}

XiTransportState
xi_transport_get_state (XiTransport *self)
{
  g_return_val_if_fail (XI_IS_TRANSPORT (self), XI_TRANSPORT_STATE_DISCONNECTED);
  return XI_TRANSPORT_GET_IFACE (self)->get_state (self);
}

void
xi_transport_connect (XiTransport *self)
{
  g_return_if_fail (XI_IS_TRANSPORT (self));
  XI_TRANSPORT_GET_IFACE (self)->connect (self);
}

void
xi_transport_disconnect (XiTransport *self)
{
  g_return_if_fail (XI_IS_TRANSPORT (self));
  XI_TRANSPORT_GET_IFACE (self)->disconnect (self);
}

/**
 * xi_transport_send_text_async:
 * @self: a #XiTransport
 * @phone: the recipient, E.164 digits
 * @message_id: the id to send it under; the same on every retry
 * @text: the message, or the attachment's caption
 * @attachment: (nullable): a picture or document sent with @text as its
 *   caption; its bytes must be at its path and have its hash
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once the server acknowledged it, or it failed
 * @user_data: closure
 *
 * Sends one message. Errors are in %XI_TRANSPORT_ERROR, which tells
 * the engine whether to wait, retry or give up.
 */
void
xi_transport_send_text_async (XiTransport         *self,
                              const char          *phone,
                              const char          *message_id,
                              const char          *text,
                              XiAsset             *attachment,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (XI_IS_TRANSPORT (self));
  g_return_if_fail (phone != NULL && message_id != NULL && text != NULL);
  g_return_if_fail (attachment == NULL || XI_IS_ASSET (attachment));

  XI_TRANSPORT_GET_IFACE (self)->send_text_async (self, phone, message_id, text, attachment,
                                                  cancellable, callback, user_data);
}

gboolean
xi_transport_send_text_finish (XiTransport   *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (XI_IS_TRANSPORT (self), FALSE);
  return XI_TRANSPORT_GET_IFACE (self)->send_text_finish (self, result, error);
}

/* For implementations: the signals and the notification in one place, so
 * every transport emits them alike. */
void
xi_transport_emit_receipt (XiTransport      *self,
                           const char       *message_id,
                           XiRecipientState  state,
                           gint64            timestamp)
{
  g_signal_emit (self, signals[RECEIPT], 0, message_id, (int)state, timestamp);
}

void
xi_transport_emit_incoming (XiTransport *self,
                            const char  *phone,
                            const char  *message_id,
                            const char  *text)
{
  g_signal_emit (self, signals[INCOMING], 0, phone, message_id, text);
}

/**
 * xi_transport_get_new_chats_paused_until:
 * @self: a transport
 *
 * Returns: until when (Unix seconds) the network lets the account start
 *   no new chat, or 0 when it may
 */
gint64
xi_transport_get_new_chats_paused_until (XiTransport *self)
{
  XiTransportInterface *iface;

  g_return_val_if_fail (XI_IS_TRANSPORT (self), 0);

  iface = XI_TRANSPORT_GET_IFACE (self);
  return iface->get_new_chats_paused_until != NULL ? iface->get_new_chats_paused_until (self) : 0;
}

/**
 * xi_transport_prepare:
 * @self: a transport
 * @phones: the numbers the next messages go to, in order
 *
 * A hint, optional for transports: whatever each of those messages will
 * need to ask the network first can be asked once for all of them.
 */
void
xi_transport_prepare (XiTransport        *self,
                      const char * const *phones)
{
  XiTransportInterface *iface;

  g_return_if_fail (XI_IS_TRANSPORT (self));

  iface = XI_TRANSPORT_GET_IFACE (self);
  if (iface->prepare != NULL)
    iface->prepare (self, phones);
}

void
xi_transport_notify_state (XiTransport *self)
{
  g_object_notify (G_OBJECT (self), "state");
}

/**
 * xi_transport_confirm_incoming:
 * @self: a transport
 * @message_id: the id of a message it reported as incoming
 *
 * Tells the network that the message is stored, so it may forget it. A
 * message never confirmed comes again (WhatsApp delivers it again on the
 * next connection), so call this only once it is committed. Optional for
 * transports whose messages cannot be lost.
 */
void
xi_transport_confirm_incoming (XiTransport *self,
                               const char  *message_id)
{
  XiTransportInterface *iface;

  g_return_if_fail (XI_IS_TRANSPORT (self));
  g_return_if_fail (message_id != NULL);

  iface = XI_TRANSPORT_GET_IFACE (self);
  if (iface->confirm_incoming != NULL)
    iface->confirm_incoming (self, message_id);
}

/**
 * xi_transport_set_receiving:
 * @self: a transport
 * @receiving: %FALSE to stop reading incoming messages for now
 *
 * Holds back incoming messages while those reported are not stored yet:
 * they wait on the network, unconfirmed. Sending goes on meanwhile, and
 * a quiet network is not taken for a lost one. Optional for transports
 * whose messages come no faster than they are stored.
 */
void
xi_transport_set_receiving (XiTransport *self,
                            gboolean     receiving)
{
  XiTransportInterface *iface;

  g_return_if_fail (XI_IS_TRANSPORT (self));

  iface = XI_TRANSPORT_GET_IFACE (self);
  if (iface->set_receiving != NULL)
    iface->set_receiving (self, receiving);
}

/**
 * xi_transport_reject_incoming:
 * @self: a transport
 * @message_id: the id of a message it reported as incoming
 *
 * Tells the transport that the message could not be stored (a full
 * disk): it stays on the network, unconfirmed, and when the network
 * delivers it again it is reported again, not taken for a copy of one
 * being stored. Optional, like xi_transport_confirm_incoming().
 */
void
xi_transport_reject_incoming (XiTransport *self,
                              const char  *message_id)
{
  XiTransportInterface *iface;

  g_return_if_fail (XI_IS_TRANSPORT (self));
  g_return_if_fail (message_id != NULL);

  iface = XI_TRANSPORT_GET_IFACE (self);
  if (iface->reject_incoming != NULL)
    iface->reject_incoming (self, message_id);
}

/**
 * xi_transport_set_keeping:
 * @self: a transport
 * @keeping: whether someone stores (and confirms) its incoming messages
 *   from now on
 *
 * The one answer to "does anyone store customers' messages now": the
 * receiver sets it when it takes the transport and unsets it when it
 * stops or lets go. Until it is set, and once it is unset, the transport
 * reads no customer's message, which waits on the network unconfirmed.
 * Optional for transports whose messages cannot be lost.
 */
void
xi_transport_set_keeping (XiTransport *self,
                          gboolean     keeping)
{
  XiTransportInterface *iface;

  g_return_if_fail (XI_IS_TRANSPORT (self));

  iface = XI_TRANSPORT_GET_IFACE (self);
  if (iface->set_keeping != NULL)
    iface->set_keeping (self, keeping);
}

void
xi_transport_emit_incoming_media (XiTransport       *self,
                                  const char        *phone,
                                  const char        *message_id,
                                  const char        *caption,
                                  const XiMediaInfo *media)
{
  g_signal_emit (self, signals[INCOMING_MEDIA], 0, phone, message_id, caption, media);
}

/**
 * xi_transport_download_media_async:
 * @self: a transport
 * @media: what a customer's message said about its file
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the content
 * @user_data: for @callback
 *
 * Fetches the file @media names and checks it before decrypting: its
 * hash and MAC, then the hash of what it decrypts to. Fails with
 * %XI_TRANSPORT_ERROR_CORRUPT when any of them does not match,
 * %XI_TRANSPORT_ERROR_REJECTED when the host no longer has it, and
 * %XI_TRANSPORT_ERROR_NOT_SUPPORTED for a transport without media.
 */
void
xi_transport_download_media_async (XiTransport         *self,
                                   const XiMediaInfo   *media,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (XI_IS_TRANSPORT (self));
  g_return_if_fail (media != NULL);

  XI_TRANSPORT_GET_IFACE (self)->download_media_async (self, media, cancellable, callback, user_data);
}

/**
 * xi_transport_download_media_finish:
 *
 * Returns: (transfer full) (nullable): the verified content
 */
GBytes *
xi_transport_download_media_finish (XiTransport   *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (XI_IS_TRANSPORT (self), NULL);
  return XI_TRANSPORT_GET_IFACE (self)->download_media_finish (self, result, error);
}
