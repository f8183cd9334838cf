/* xi-whatsapp-transport.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-whatsapp"

#include "config.h"

#include <glib/gi18n.h>

#include "wa-error.h"
#include "wa-jid.h"
#include "wa-app-state.h"
#include "wa-history-sync.h"
#include "wa-media.h"
#include "wa-messenger.h"
#include "xi-media-cache.h"
#include "xi-whatsapp-transport-private.h"

struct _XiWhatsappTransport
{
  GObject        parent_instance;

  WaClient      *client;
  WaMessenger   *messenger;
  /* What the phone shares (names, LID mappings, privacy tokens, the NCT
   * salt) is read on every connection, into the client's key store. */
  WaAppState    *app_state;
  WaHistorySync *history;
  XiMediaCache  *media;   /* each attachment uploaded once */
  GThread       *owner;   /* the client's thread, where it was made */
  GSource       *catch_up_grace;  /* while connected, before the backlog is read */
  gboolean       grace_over;
};

/* A server that never says its backlog is over must not hold campaigns
 * back for good; WhatsApp's always says so within seconds. */
#define CATCH_UP_GRACE_S 10

#define assert_owner(self) g_assert ((self)->owner == g_thread_self ())

enum {
  PROP_0,
  PROP_STATE,
  PROP_NEW_CHATS_PAUSED_UNTIL,
};

static void xi_whatsapp_transport_iface_init (XiTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (XiWhatsappTransport, xi_whatsapp_transport, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (XI_TYPE_TRANSPORT, xi_whatsapp_transport_iface_init))

static XiTransportState
xi_whatsapp_transport_get_state (XiTransport *transport)
{
  XiWhatsappTransport *self = XI_WHATSAPP_TRANSPORT (transport);

  assert_owner (self);
  switch (wa_client_get_state (self->client))
    {
    /* Replies that waited on the server (a STOP among them) are read
     * before anything is sent, so an opt-out that came while we were
     * away is honoured by the very next message. */
    case WA_CLIENT_STATE_CONNECTED:
      if (wa_client_get_caught_up (self->client) || self->grace_over)
        return XI_TRANSPORT_STATE_CONNECTED;
      return XI_TRANSPORT_STATE_CONNECTING;
    case WA_CLIENT_STATE_CONNECTING:
    case WA_CLIENT_STATE_WAITING:
      return XI_TRANSPORT_STATE_CONNECTING;
    case WA_CLIENT_STATE_STOPPED:
    case WA_CLIENT_STATE_PAIRING:
    case WA_CLIENT_STATE_LOGGED_OUT:
    case WA_CLIENT_STATE_REPLACED:
    default:
      return XI_TRANSPORT_STATE_DISCONNECTED;
    }
}

/* The connection is the client's owner's to manage (the app's connection
 * indicator, or the command line); a campaign only waits for it. */
static void
xi_whatsapp_transport_connect (XiTransport *transport)
{
}

static void
xi_whatsapp_transport_disconnect (XiTransport *transport)
{
}

/* What a failed send means for the campaign: wait for the connection
 * (nothing reached anyone), try again later, or give this recipient up.
 * A 463 is not retried: each try is another reach-out to a stranger,
 * which is what the server punishes (protocol notes §13). */
static GError *
campaign_error (const GError *error)
{
  if (g_error_matches (error, WA_ERROR, WA_ERROR_CONNECTION_CLOSED) ||
      g_error_matches (error, WA_ERROR, WA_ERROR_LOGGED_OUT) ||
      g_error_matches (error, WA_ERROR, WA_ERROR_REPLACED))
    return g_error_new_literal (XI_TRANSPORT_ERROR, XI_TRANSPORT_ERROR_DISCONNECTED, error->message);
  if (g_error_matches (error, WA_ERROR, WA_ERROR_NOT_ON_WHATSAPP))
    return g_error_new_literal (XI_TRANSPORT_ERROR, XI_TRANSPORT_ERROR_REJECTED,
                                _("This number is not on WhatsApp"));
  if (g_error_matches (error, WA_ERROR, WA_ERROR_NEEDS_PRIVACY_TOKEN))
    return g_error_new_literal (XI_TRANSPORT_ERROR, XI_TRANSPORT_ERROR_REFUSED_NEW_CONTACT,
                                _("Refused by WhatsApp (new contact): this number never wrote to you. It "
                                  "is not sent again; ask them to message you first"));
  if (g_error_matches (error, WA_ERROR, WA_ERROR_TIME_LOCKED))
    return g_error_new_literal (XI_TRANSPORT_ERROR, XI_TRANSPORT_ERROR_PAUSED,
                                _("WhatsApp does not let this account start new chats for now; waiting "
                                  "until it does"));
  if (g_error_matches (error, WA_ERROR, WA_ERROR_INVALID_STANZA))
    return g_error_new_literal (XI_TRANSPORT_ERROR, XI_TRANSPORT_ERROR_REJECTED,
                                _("WhatsApp found this message malformed (479). This is a defect in "
                                  "Xender-In; please report it with the message ID"));
  if (g_error_matches (error, WA_ERROR, WA_ERROR_REFUSED) || g_error_matches (error, WA_ERROR, WA_ERROR_MALFORMED))
    return g_error_new (XI_TRANSPORT_ERROR, XI_TRANSPORT_ERROR_REJECTED, _("WhatsApp refused the message (%s)"),
                        error->message);
  return g_error_new_literal (XI_TRANSPORT_ERROR, XI_TRANSPORT_ERROR_TRANSIENT, error->message);
}

static void
sent_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (wa_messenger_send_text_finish (WA_MESSENGER (object), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, campaign_error (error));
}

/* "+62812…" as the store keeps numbers -> "62812…@s.whatsapp.net", or
 * %NULL for a number WhatsApp cannot have. */
static char *
account_of (const char *phone)
{
  g_autoptr(WaJid) jid = wa_jid_new_pn_user (phone, NULL);

  return jid != NULL ? wa_jid_to_string (jid) : NULL;
}

typedef struct
{
  char        *to;
  char        *message_id;
  char        *text;
  XiAsset     *attachment;
  XiSentMedia *sent;      /* the upload the message refers to */
  gboolean     resent;
} MediaSend;

static void
media_send_free (MediaSend *send)
{
  g_free (send->to);
  g_free (send->message_id);
  g_free (send->text);
  g_clear_object (&send->attachment);
  g_clear_pointer (&send->sent, xi_sent_media_unref);
  g_free (send);
}

static void media_ready_cb (GObject      *object,
                            GAsyncResult *result,
                            gpointer      user_data);

/* A refused media message most likely named an upload that expired:
 * sent again, once, with a new one. */
static void
media_sent_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  XiWhatsappTransport *self = g_task_get_source_object (task);
  MediaSend *send = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (wa_messenger_send_text_finish (WA_MESSENGER (object), result, &error))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (!send->resent && g_error_matches (error, WA_ERROR, WA_ERROR_REFUSED) &&
      xi_media_cache_forget (self->media, send->attachment, send->sent))
    {
      GCancellable *cancellable = g_task_get_cancellable (task);

      g_debug ("A media message was refused (%s); sending it again with a new upload", error->message);
      send->resent = TRUE;
      g_clear_pointer (&send->sent, xi_sent_media_unref);
      xi_media_cache_get_async (self->media, send->attachment, cancellable, media_ready_cb, g_steal_pointer (&task));
      return;
    }
  g_task_return_error (task, campaign_error (error));
}

/* A picture carries the text as its caption; a document its file name,
 * and the text as its caption too. */
static void
media_ready_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  XiWhatsappTransport *self = g_task_get_source_object (task);
  MediaSend *send = g_task_get_task_data (task);
  g_autoptr(XiSentMedia) sent = NULL;
  g_autoptr(GError) error = NULL;
  gboolean image = xi_asset_get_kind (send->attachment) == XI_ASSET_KIND_IMAGE;
  WaMediaMessage message = { 0 };

  sent = xi_media_cache_get_finish (XI_MEDIA_CACHE (object), result, &error);
  if (sent == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
          g_error_matches (error, XI_TRANSPORT_ERROR, XI_TRANSPORT_ERROR_ATTACHMENT_CHANGED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_error (task, campaign_error (error));
      return;
    }

  message.type = image ? WA_MEDIA_IMAGE : WA_MEDIA_DOCUMENT;
  message.upload = sent->upload;
  message.mimetype = xi_asset_get_mime_type (send->attachment);
  message.caption = send->text[0] != '\0' ? send->text : NULL;
  message.file_name = image ? NULL : xi_asset_get_name (send->attachment);
  message.width = sent->width;
  message.height = sent->height;
  message.page_count = sent->page_count;
  message.jpeg_thumbnail = sent->jpeg_thumbnail;
  send->sent = xi_sent_media_ref (sent);
  wa_messenger_send_media_async (self->messenger, send->to, send->message_id, &message,
                                 g_task_get_cancellable (task), media_sent_cb, g_object_ref (task));
}

static void
xi_whatsapp_transport_send_text_async (XiTransport         *transport,
                                       const char          *phone,
                                       const char          *message_id,
                                       const char          *text,
                                       XiAsset             *attachment,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  XiWhatsappTransport *self = XI_WHATSAPP_TRANSPORT (transport);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *to = account_of (phone);
  MediaSend *send;

  assert_owner (self);
  g_task_set_source_tag (task, xi_whatsapp_transport_send_text_async);
  if (to == NULL)
    {
      g_task_return_new_error (task, XI_TRANSPORT_ERROR, XI_TRANSPORT_ERROR_REJECTED,
                               _("Not a phone number WhatsApp knows"));
      return;
    }
  if (attachment == NULL)
    {
      wa_messenger_send_text_async (self->messenger, to, message_id, text, cancellable, sent_cb,
                                    g_steal_pointer (&task));
      return;
    }

  send = g_new0 (MediaSend, 1);
  send->to = g_steal_pointer (&to);
  send->message_id = g_strdup (message_id);
  send->text = g_strdup (text);
  send->attachment = g_object_ref (attachment);
  g_task_set_task_data (task, send, (GDestroyNotify) media_send_free);
  xi_media_cache_get_async (self->media, attachment, cancellable, media_ready_cb, g_steal_pointer (&task));
}

static gboolean
xi_whatsapp_transport_send_text_finish (XiTransport   *transport,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
xi_whatsapp_transport_prepare (XiTransport        *transport,
                               const char * const *phones)
{
  XiWhatsappTransport *self = XI_WHATSAPP_TRANSPORT (transport);
  g_autoptr(GPtrArray) users = g_ptr_array_new_with_free_func (g_free);

  assert_owner (self);
  for (guint i = 0; phones[i] != NULL; i++)
    {
      char *user = account_of (phones[i]);

      if (user != NULL)
        g_ptr_array_add (users, user);
    }
  g_ptr_array_add (users, NULL);
  wa_messenger_prefetch (self->messenger, (const char * const *) users->pdata);
}

static gint64
xi_whatsapp_transport_get_new_chats_paused_until (XiTransport *transport)
{
  XiWhatsappTransport *self = XI_WHATSAPP_TRANSPORT (transport);

  return wa_privacy_get_new_chats_paused_until (wa_messenger_get_privacy (self->messenger));
}

static WaMediaType
media_type_of (const char *kind)
{
  if (g_strcmp0 (kind, "video") == 0)
    return WA_MEDIA_VIDEO;
  if (g_strcmp0 (kind, "audio") == 0)
    return WA_MEDIA_AUDIO;
  if (g_strcmp0 (kind, "document") == 0)
    return WA_MEDIA_DOCUMENT;
  return WA_MEDIA_IMAGE;
}

static void
media_downloaded_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  GBytes *content = wa_media_download_finish (WA_CLIENT (object), result, &error);

  if (content != NULL)
    g_task_return_pointer (task, content, (GDestroyNotify) g_bytes_unref);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_task_return_error (task, g_steal_pointer (&error));
  else if (g_error_matches (error, WA_ERROR, WA_ERROR_CRYPTO))
    g_task_return_new_error (task, XI_TRANSPORT_ERROR, XI_TRANSPORT_ERROR_CORRUPT,
                             _("The downloaded file is not the one the customer sent (%s). It was not "
                               "kept; try again later"), error->message);
  else
    g_task_return_error (task, campaign_error (error));
}

static void
xi_whatsapp_transport_download_media_async (XiTransport         *transport,
                                            const XiMediaInfo   *media,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  XiWhatsappTransport *self = XI_WHATSAPP_TRANSPORT (transport);
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  WaMediaRef ref = {
    .direct_path = media->direct_path,
    .media_key = media->media_key,
    .file_enc_sha256 = media->file_enc_sha256,
    .file_sha256 = media->file_sha256,
    .file_length = media->size,
  };

  assert_owner (self);
  g_task_set_source_tag (task, xi_whatsapp_transport_download_media_async);
  /* Without the content's hash a blob could decrypt to anything. */
  if (media->file_sha256 == NULL)
    {
      g_task_return_new_error (task, XI_TRANSPORT_ERROR, XI_TRANSPORT_ERROR_CORRUPT,
                               _("The message does not say what its file should be; it is not downloaded"));
      g_object_unref (task);
      return;
    }
  wa_media_download_async (self->client, media_type_of (media->kind), &ref, cancellable,
                           media_downloaded_cb, task);
}

static GBytes *
xi_whatsapp_transport_download_media_finish (XiTransport   *transport,
                                             GAsyncResult  *result,
                                             GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
xi_whatsapp_transport_confirm_incoming (XiTransport *transport,
                                        const char  *message_id)
{
  XiWhatsappTransport *self = XI_WHATSAPP_TRANSPORT (transport);

  assert_owner (self);
  wa_messenger_confirm (self->messenger, message_id);
}

static void
xi_whatsapp_transport_reject_incoming (XiTransport *transport,
                                       const char  *message_id)
{
  XiWhatsappTransport *self = XI_WHATSAPP_TRANSPORT (transport);

  assert_owner (self);
  wa_messenger_forget (self->messenger, message_id);
}

static void
xi_whatsapp_transport_set_keeping (XiTransport *transport,
                                   gboolean     keeping)
{
  XiWhatsappTransport *self = XI_WHATSAPP_TRANSPORT (transport);

  assert_owner (self);
  wa_messenger_set_keeping (self->messenger, keeping);
}

static void
xi_whatsapp_transport_set_receiving (XiTransport *transport,
                                     gboolean     receiving)
{
  XiWhatsappTransport *self = XI_WHATSAPP_TRANSPORT (transport);

  assert_owner (self);
  wa_client_set_receiving (self->client, receiving);
}

static void
xi_whatsapp_transport_iface_init (XiTransportInterface *iface)
{
  iface->get_state = xi_whatsapp_transport_get_state;
  iface->connect = xi_whatsapp_transport_connect;
  iface->disconnect = xi_whatsapp_transport_disconnect;
  iface->send_text_async = xi_whatsapp_transport_send_text_async;
  iface->send_text_finish = xi_whatsapp_transport_send_text_finish;
  iface->prepare = xi_whatsapp_transport_prepare;
  iface->get_new_chats_paused_until = xi_whatsapp_transport_get_new_chats_paused_until;
  iface->download_media_async = xi_whatsapp_transport_download_media_async;
  iface->download_media_finish = xi_whatsapp_transport_download_media_finish;
  iface->confirm_incoming = xi_whatsapp_transport_confirm_incoming;
  iface->set_receiving = xi_whatsapp_transport_set_receiving;
  iface->reject_incoming = xi_whatsapp_transport_reject_incoming;
  iface->set_keeping = xi_whatsapp_transport_set_keeping;
}

/* Delivered or read, by any of the recipient's devices: the store keeps
 * the first time each happened. Our own devices confirm copies ("sender"),
 * which say nothing of the recipient. */
static void
receipt_cb (WaMessenger         *messenger,
            const char          *id,
            const char          *from,
            const char          *type,
            gint64               timestamp,
            XiWhatsappTransport *self)
{
  XiRecipientState state;

  if (type == NULL || g_str_equal (type, "inactive"))
    state = XI_RECIPIENT_STATE_DELIVERED;
  else if (g_str_equal (type, "read") || g_str_equal (type, "read-self") || g_str_equal (type, "played"))
    state = XI_RECIPIENT_STATE_READ;
  else
    return;
  xi_transport_emit_receipt (XI_TRANSPORT (self), id, state, timestamp);
}

/* The sender as the store keys it: "+62812…", or, for one whose number
 * never came while its message waited (wa-messenger.c), its bare LID
 * ("…@lid"), under which the store keeps the message until the number is
 * known. */
static char *
address_of (const char *chat_jid)
{
  g_autoptr(WaJid) jid = wa_jid_parse (chat_jid, NULL);

  if (jid == NULL || wa_jid_get_device (jid) != 0)
    return NULL;
  if (wa_jid_is_lid (jid))
    return wa_jid_to_string (jid);
  if (!wa_jid_is_pn (jid))
    return NULL;
  return g_strconcat ("+", wa_jid_get_user (jid), NULL);
}

/* Returns whether the message goes to be stored, and is confirmed once
 * it is; what is not stored is confirmed at once. */
static gboolean
message_cb (WaMessenger         *messenger,
            WaIncomingMessage   *message,
            XiWhatsappTransport *self)
{
  g_autofree char *phone = address_of (message->chat);

  if (phone == NULL)
    return FALSE;
  if (message->media != NULL)
    {
      const WaIncomingMedia *wa = message->media;
      static const char * const kinds[] = {
        [WA_MEDIA_IMAGE] = "image",
        [WA_MEDIA_VIDEO] = "video",
        [WA_MEDIA_AUDIO] = "audio",
        [WA_MEDIA_DOCUMENT] = "document",
      };
      XiMediaInfo media = {
        .kind = (char *) (wa->sticker ? "sticker" : kinds[wa->type]),
        .mimetype = wa->mimetype,
        .file_name = wa->file_name,
        .size = wa->file_length,
        .width = wa->width,
        .height = wa->height,
        .direct_path = wa->direct_path,
        .media_key = wa->media_key,
        .file_sha256 = wa->file_sha256,
        .file_enc_sha256 = wa->file_enc_sha256,
        .thumbnail = wa->jpeg_thumbnail,
      };

      xi_transport_emit_incoming_media (XI_TRANSPORT (self), phone, message->id, message->text, &media);
      return TRUE;
    }
  if (message->text == NULL)
    return FALSE;
  xi_transport_emit_incoming (XI_TRANSPORT (self), phone, message->id, message->text);
  return TRUE;
}


static void
timelock_cb (WaPrivacy           *privacy,
             GParamSpec          *pspec,
             XiWhatsappTransport *self)
{
  g_object_notify (G_OBJECT (self), "new-chats-paused-until");
}

static gboolean
catch_up_grace_cb (gpointer user_data)
{
  XiWhatsappTransport *self = user_data;

  g_clear_pointer (&self->catch_up_grace, g_source_unref);
  self->grace_over = TRUE;
  xi_transport_notify_state (XI_TRANSPORT (self));
  return G_SOURCE_REMOVE;
}

static void
clear_catch_up_grace (XiWhatsappTransport *self)
{
  if (self->catch_up_grace != NULL)
    g_source_destroy (self->catch_up_grace);
  g_clear_pointer (&self->catch_up_grace, g_source_unref);
}

/* Each connection gets its own grace for the backlog. */
static void
restart_catch_up_grace (XiWhatsappTransport *self)
{
  clear_catch_up_grace (self);
  self->grace_over = FALSE;
  if (wa_client_get_state (self->client) == WA_CLIENT_STATE_CONNECTED && !wa_client_get_caught_up (self->client))
    {
      self->catch_up_grace = g_timeout_source_new_seconds (CATCH_UP_GRACE_S);
      g_source_set_callback (self->catch_up_grace, catch_up_grace_cb, self, NULL);
      g_source_attach (self->catch_up_grace, g_main_context_get_thread_default ());
    }
}

static void
client_state_cb (WaClient            *client,
                 GParamSpec          *pspec,
                 XiWhatsappTransport *self)
{
  restart_catch_up_grace (self);
  xi_transport_notify_state (XI_TRANSPORT (self));
}

static void
client_caught_up_cb (WaClient            *client,
                     GParamSpec          *pspec,
                     XiWhatsappTransport *self)
{
  if (wa_client_get_caught_up (client))
    clear_catch_up_grace (self);
  xi_transport_notify_state (XI_TRANSPORT (self));
}

static void
xi_whatsapp_transport_dispose (GObject *object)
{
  XiWhatsappTransport *self = (XiWhatsappTransport *)object;

  clear_catch_up_grace (self);
  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  if (self->messenger != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->messenger, self);
      g_signal_handlers_disconnect_by_data (wa_messenger_get_privacy (self->messenger), self);
    }
  g_clear_object (&self->history);
  g_clear_object (&self->media);
  g_clear_object (&self->app_state);
  g_clear_object (&self->messenger);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (xi_whatsapp_transport_parent_class)->dispose (object);
}

static void
xi_whatsapp_transport_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, xi_whatsapp_transport_get_state (XI_TRANSPORT (object)));
      break;
    case PROP_NEW_CHATS_PAUSED_UNTIL:
      g_value_set_int64 (value, xi_whatsapp_transport_get_new_chats_paused_until (XI_TRANSPORT (object)));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xi_whatsapp_transport_class_init (XiWhatsappTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = xi_whatsapp_transport_dispose;
  object_class->get_property = xi_whatsapp_transport_get_property;
  g_object_class_override_property (object_class, PROP_STATE, "state");
  /* Until when (Unix seconds) WhatsApp lets the account start no new
   * chat (a reach-out time-lock, or its new-chat cap used up); 0 when it
   * may. */
  g_object_class_install_property (object_class, PROP_NEW_CHATS_PAUSED_UNTIL,
                                   g_param_spec_int64 ("new-chats-paused-until", NULL, NULL, 0, G_MAXINT64, 0,
                                                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                                                       G_PARAM_STATIC_STRINGS));
}

static void
xi_whatsapp_transport_init (XiWhatsappTransport *self)
{
  self->owner = g_thread_self ();
}

/**
 * xi_whatsapp_transport_new:
 * @client: the WhatsApp client to send through, on this thread
 *
 * Returns: (transfer full): the transport
 */
XiTransport *
xi_whatsapp_transport_new (WaClient *client)
{
  XiWhatsappTransport *self;

  g_return_val_if_fail (WA_IS_CLIENT (client), NULL);

  self = g_object_new (XI_TYPE_WHATSAPP_TRANSPORT, NULL);
  self->client = g_object_ref (client);
  self->messenger = wa_messenger_new (client);
  self->app_state = wa_app_state_new (client, self->messenger);
  self->history = wa_history_sync_new (client, self->messenger);
  self->media = xi_media_cache_new (client);
  g_signal_connect (client, "notify::state", G_CALLBACK (client_state_cb), self);
  g_signal_connect (client, "notify::caught-up", G_CALLBACK (client_caught_up_cb), self);
  restart_catch_up_grace (self);
  g_signal_connect (self->messenger, "receipt", G_CALLBACK (receipt_cb), self);
  g_signal_connect (self->messenger, "message", G_CALLBACK (message_cb), self);
  g_signal_connect (wa_messenger_get_privacy (self->messenger), "notify::new-chats-paused-until",
                    G_CALLBACK (timelock_cb), self);
  return XI_TRANSPORT (self);
}

WaMessenger *
_xi_whatsapp_transport_get_messenger (XiWhatsappTransport *self)
{
  g_return_val_if_fail (XI_IS_WHATSAPP_TRANSPORT (self), NULL);
  return self->messenger;
}
