/* xi-transport.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "xi-core-types.h"
#include "xi-media-info.h"

G_BEGIN_DECLS

#define XI_TRANSPORT_ERROR (xi_transport_error_quark ())

/**
 * XiTransportError:
 * @XI_TRANSPORT_ERROR_DISCONNECTED: not connected; the campaign waits for
 *   the connection instead of failing anyone
 * @XI_TRANSPORT_ERROR_TRANSIENT: this try failed, a later one may work
 * @XI_TRANSPORT_ERROR_REJECTED: this message can never be delivered (the
 *   number is not on WhatsApp, the server refused it)
 * @XI_TRANSPORT_ERROR_REFUSED_NEW_CONTACT: WhatsApp refused a first
 *   message to someone who never wrote to the account; trying again would
 *   only count as another reach-out against it
 * @XI_TRANSPORT_ERROR_PAUSED: not tried: the account may start no new
 *   chat until xi_transport_get_new_chats_paused_until(); messages to
 *   existing chats still go
 * @XI_TRANSPORT_ERROR_CORRUPT: a downloaded file is not the one its
 *   message names (its checksum or MAC does not match); nothing was kept
 * @XI_TRANSPORT_ERROR_NOT_SUPPORTED: this transport cannot do that
 * @XI_TRANSPORT_ERROR_ATTACHMENT_CHANGED: not sent: the campaign's
 *   attachment is missing or no longer holds what the campaign was made
 *   with; no message can go until the user adds it again
 */
typedef enum {
  XI_TRANSPORT_ERROR_DISCONNECTED,
  XI_TRANSPORT_ERROR_TRANSIENT,
  XI_TRANSPORT_ERROR_REJECTED,
  XI_TRANSPORT_ERROR_REFUSED_NEW_CONTACT,
  XI_TRANSPORT_ERROR_PAUSED,
  XI_TRANSPORT_ERROR_CORRUPT,
  XI_TRANSPORT_ERROR_NOT_SUPPORTED,
  XI_TRANSPORT_ERROR_ATTACHMENT_CHANGED,
} XiTransportError;

/**
 * XiTransportState:
 * @XI_TRANSPORT_STATE_DISCONNECTED: cannot send now
 * @XI_TRANSPORT_STATE_CONNECTING: connecting or reconnecting
 * @XI_TRANSPORT_STATE_CONNECTED: sends go out
 */
typedef enum {
  XI_TRANSPORT_STATE_DISCONNECTED,
  XI_TRANSPORT_STATE_CONNECTING,
  XI_TRANSPORT_STATE_CONNECTED,
} XiTransportState;

#define XI_TYPE_TRANSPORT (xi_transport_get_type ())

/* All the engine knows of WhatsApp (DESIGN.md, "Transport interface").
 * An implementation lives on the network thread and emits its signals
 * there: "receipt" (message id, XiRecipientState delivered/read, Unix
 * seconds), "incoming" (phone, message id, text) and "incoming-media"
 * (phone, message id, caption or %NULL, XiMediaInfo), each incoming
 * message to be confirmed with xi_transport_confirm_incoming () once it
 * is stored, or given back with xi_transport_reject_incoming () if it
 * could not be. They come only while xi_transport_set_keeping () says
 * someone stores them. The phone of an incoming message is a LID
 * ("…@lid", xi_phone_is_lid ()) when WhatsApp hid the sender's number.
 * State changes are notified on the "state" property. */
G_DECLARE_INTERFACE (XiTransport, xi_transport, XI, TRANSPORT, GObject)

struct _XiTransportInterface
{
  GTypeInterface parent_iface;

  XiTransportState (*get_state)        (XiTransport          *self);
  void             (*connect)          (XiTransport          *self);
  void             (*disconnect)       (XiTransport          *self);
  void             (*send_text_async)  (XiTransport          *self,
                                        const char           *phone,
                                        const char           *message_id,
                                        const char           *text,
                                        XiAsset              *attachment,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
  gboolean         (*send_text_finish) (XiTransport          *self,
                                        GAsyncResult         *result,
                                        GError              **error);
  void             (*prepare)          (XiTransport          *self,
                                        const char * const   *phones);
  gint64           (*get_new_chats_paused_until) (XiTransport *self);
  void             (*download_media_async) (XiTransport       *self,
                                            const XiMediaInfo *media,
                                            GCancellable      *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer           user_data);
  GBytes          *(*download_media_finish) (XiTransport      *self,
                                             GAsyncResult     *result,
                                             GError          **error);
  void             (*confirm_incoming) (XiTransport          *self,
                                        const char           *message_id);
  void             (*set_receiving)    (XiTransport          *self,
                                        gboolean              receiving);
  void             (*reject_incoming)  (XiTransport          *self,
                                        const char           *message_id);
  void             (*set_keeping)      (XiTransport          *self,
                                        gboolean              keeping);
};

GQuark            xi_transport_error_quark      (void);

XiTransportState  xi_transport_get_state        (XiTransport          *self);
void              xi_transport_connect          (XiTransport          *self);
void              xi_transport_disconnect       (XiTransport          *self);
void              xi_transport_send_text_async  (XiTransport          *self,
                                                 const char           *phone,
                                                 const char           *message_id,
                                                 const char           *text,
                                                 XiAsset              *attachment,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean          xi_transport_send_text_finish (XiTransport          *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
void              xi_transport_prepare          (XiTransport          *self,
                                                 const char * const   *phones);
gint64            xi_transport_get_new_chats_paused_until (XiTransport *self);
void              xi_transport_emit_receipt     (XiTransport          *self,
                                                 const char           *message_id,
                                                 XiRecipientState      state,
                                                 gint64                timestamp);
void              xi_transport_emit_incoming    (XiTransport          *self,
                                                 const char           *phone,
                                                 const char           *message_id,
                                                 const char           *text);
void              xi_transport_emit_incoming_media (XiTransport       *self,
                                                 const char           *phone,
                                                 const char           *message_id,
                                                 const char           *caption,
                                                 const XiMediaInfo    *media);
void              xi_transport_download_media_async (XiTransport      *self,
                                                 const XiMediaInfo    *media,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
GBytes           *xi_transport_download_media_finish (XiTransport     *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
void              xi_transport_notify_state     (XiTransport          *self);
void              xi_transport_confirm_incoming (XiTransport          *self,
                                                 const char           *message_id);
void              xi_transport_set_receiving    (XiTransport          *self,
                                                 gboolean              receiving);
void              xi_transport_reject_incoming  (XiTransport          *self,
                                                 const char           *message_id);
void              xi_transport_set_keeping      (XiTransport          *self,
                                                 gboolean              keeping);

G_END_DECLS
