/* wa-link.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wa-link"

#include "config.h"

#include "wa-error.h"
#include "wa-link.h"

/*
 * The companion's half of QR pairing. The server hands over a batch of
 * refs; each becomes a QR code (with our noise, identity and ADV keys) for
 * a while, then the next; when they run out the attempt is over. When the
 * phone scans one, the server relays its pair-success, which we verify
 * (wa_pairing_verify) before countersigning. Every iq the server sends
 * gets its answer, including the error answer when verification fails.
 */

/* "Other web client" in the QR's platform field (§5.2). */
#define QR_PLATFORM '9'

#define SERVER "@s.whatsapp.net"

struct _WaLink
{
  GObject        parent_instance;

  WaConnection  *connection;
  WaCredentials *credentials;   /* a private copy */
  GPtrArray     *refs;          /* char*, not yet shown */
  GSource       *rotation;
  guint          first_ref_ms;
  guint          next_ref_ms;
  gboolean       shown_any;
  gboolean       done;
  GThread       *owner;         /* made on it, used only from it */
};

#define assert_owner(self) g_assert ((self)->owner == g_thread_self ())

G_DEFINE_FINAL_TYPE (WaLink, wa_link, G_TYPE_OBJECT)

enum {
  QR,
  PAIRED,
  FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
stop_rotation (WaLink *self)
{
  if (self->rotation == NULL)
    return;
  g_source_destroy (self->rotation);
  g_clear_pointer (&self->rotation, g_source_unref);
}

static void
finish_failed (WaLink *self,
               GError *error)
{
  g_autoptr(GError) owned = error;

  if (self->done)
    return;
  self->done = TRUE;
  stop_rotation (self);
  g_signal_emit (self, signals[FAILED], 0, owned);
}

static gboolean show_next_ref (gpointer user_data);

static void
schedule_rotation (WaLink *self,
                   guint   ms)
{
  stop_rotation (self);
  self->rotation = g_timeout_source_new (ms);
  g_source_set_callback (self->rotation, show_next_ref, self, NULL);
  g_source_attach (self->rotation, g_main_context_get_thread_default ());
}

static gboolean
show_next_ref (gpointer user_data)
{
  WaLink *self = user_data;
  g_autofree char *ref = NULL;
  g_autofree char *qr = NULL;

  g_clear_pointer (&self->rotation, g_source_unref);
  if (self->refs->len == 0)
    {
      finish_failed (self, g_error_new (WA_ERROR, WA_ERROR_TIMED_OUT,
                                        "The linking codes expired before a phone scanned one"));
      return G_SOURCE_REMOVE;
    }

  ref = g_ptr_array_steal_index (self->refs, 0);
  qr = wa_credentials_qr_data (self->credentials, ref, QR_PLATFORM);
  schedule_rotation (self, self->shown_any ? self->next_ref_ms : self->first_ref_ms);
  self->shown_any = TRUE;
  g_signal_emit (self, signals[QR], 0, qr);
  return G_SOURCE_REMOVE;
}

static void
reply (WaLink     *self,
       WaNode     *iq,
       WaNode     *child)
{
  g_autoptr(WaNode) answer = wa_node_new_with_attrs ("iq", "to", SERVER, "type", "result",
                                                     "id", wa_node_get_attr (iq, "id"), NULL);
  g_autoptr(GError) error = NULL;

  if (child != NULL)
    wa_node_add_child (answer, child);
  if (!wa_connection_send_node (self->connection, answer, &error))
    finish_failed (self, g_steal_pointer (&error));
}

static void
reply_error (WaLink       *self,
             WaNode       *iq,
             const GError *failure)
{
  g_autoptr(WaNode) answer = wa_node_new_with_attrs ("iq", "to", SERVER, "type", "error",
                                                     "id", wa_node_get_attr (iq, "id"), NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *code_text = NULL;
  const char *text;
  guint code;

  wa_pairing_error_reply (failure, &code, &text);
  code_text = g_strdup_printf ("%u", code);
  wa_node_add_child (answer, wa_node_new_with_attrs ("error", "code", code_text, "text", text, NULL));
  if (!wa_connection_send_node (self->connection, answer, &error))
    g_debug ("Could not refuse the pairing: %s", error->message);
}

static void
handle_pair_device (WaLink *self,
                    WaNode *iq,
                    WaNode *pair_device)
{
  g_autoptr(GPtrArray) refs = wa_node_get_children_by_tag (pair_device, "ref");

  reply (self, iq, NULL);
  g_ptr_array_set_size (self->refs, 0);
  self->shown_any = FALSE;
  for (guint i = 0; refs != NULL && i < refs->len; i++)
    {
      GBytes *content = wa_node_get_content_bytes (g_ptr_array_index (refs, i));

      if (content != NULL)
        g_ptr_array_add (self->refs, g_strndup (g_bytes_get_data (content, NULL), g_bytes_get_size (content)));
    }
  show_next_ref (self);
}

static void
handle_pair_success (WaLink *self,
                     WaNode *iq,
                     WaNode *success)
{
  WaNode *identity_node = wa_node_get_child_by_tag (success, "device-identity");
  WaNode *device = wa_node_get_child_by_tag (success, "device");
  GBytes *identity = identity_node != NULL ? wa_node_get_content_bytes (identity_node) : NULL;
  g_autoptr(WaPairing) pairing = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key_index = NULL;
  WaNode *sign, *signed_identity;

  stop_rotation (self);
  if (identity == NULL || device == NULL || wa_node_get_attr (device, "jid") == NULL)
    g_set_error (&error, WA_ERROR, WA_ERROR_MALFORMED, "pair-success lacks the device or its identity");
  else
    pairing = wa_pairing_verify (self->credentials, identity, &error);

  if (pairing == NULL)
    {
      reply_error (self, iq, error);
      finish_failed (self, g_steal_pointer (&error));
      return;
    }

  key_index = g_strdup_printf ("%u", pairing->key_index);
  sign = wa_node_new ("pair-device-sign");
  signed_identity = wa_node_new_with_attrs ("device-identity", "key-index", key_index, NULL);
  wa_node_set_content_bytes (signed_identity, pairing->reply);
  wa_node_add_child (sign, signed_identity);
  reply (self, iq, sign);

  if (!self->done)
    {
      self->done = TRUE;
      g_signal_emit (self, signals[PAIRED], 0, wa_node_get_attr (device, "jid"),
                     wa_node_get_attr (device, "lid"), pairing);
    }
}

static void
node_cb (WaConnection *connection,
         WaNode       *node,
         WaLink       *self)
{
  WaNode *child;

  assert_owner (self);
  if (self->done || !g_str_equal (wa_node_get_tag (node), "iq") ||
      g_strcmp0 (wa_node_get_attr (node, "xmlns"), "md") != 0 ||
      g_strcmp0 (wa_node_get_attr (node, "type"), "set") != 0)
    return;

  if ((child = wa_node_get_child_by_tag (node, "pair-device")) != NULL)
    handle_pair_device (self, node, child);
  else if ((child = wa_node_get_child_by_tag (node, "pair-success")) != NULL)
    handle_pair_success (self, node, child);
}

static void
closed_cb (WaConnection *connection,
           const GError *error,
           WaLink       *self)
{
  finish_failed (self, g_error_copy (error));
}

static void
wa_link_dispose (GObject *object)
{
  WaLink *self = (WaLink *)object;

  stop_rotation (self);
  if (self->connection != NULL)
    g_signal_handlers_disconnect_by_data (self->connection, self);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (wa_link_parent_class)->dispose (object);
}

static void
wa_link_finalize (GObject *object)
{
  WaLink *self = (WaLink *)object;

  g_clear_pointer (&self->credentials, wa_credentials_free);
  g_ptr_array_unref (self->refs);

  G_OBJECT_CLASS (wa_link_parent_class)->finalize (object);
}

static void
wa_link_class_init (WaLinkClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wa_link_dispose;
  object_class->finalize = wa_link_finalize;

  signals[QR] = g_signal_new ("qr", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                              0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[PAIRED] = g_signal_new ("paired", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING,
                                  G_TYPE_POINTER);
  signals[FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
wa_link_init (WaLink *self)
{
  self->refs = g_ptr_array_new_with_free_func (g_free);
  self->first_ref_ms = WA_LINK_FIRST_REF_MS;
  self->next_ref_ms = WA_LINK_NEXT_REF_MS;
  self->owner = g_thread_self ();
}

/**
 * wa_link_new:
 * @connection: a connection opened with a registration payload
 * @credentials: the keys that payload registered
 *
 * Returns: (transfer full): the pairing, listening on @connection
 */
WaLink *
wa_link_new (WaConnection        *connection,
             const WaCredentials *credentials)
{
  WaLink *self;

  g_return_val_if_fail (WA_IS_CONNECTION (connection), NULL);
  g_return_val_if_fail (credentials != NULL, NULL);

  self = g_object_new (WA_TYPE_LINK, NULL);
  self->connection = g_object_ref (connection);
  self->credentials = g_memdup2 (credentials, sizeof *credentials);
  g_signal_connect (connection, "node", G_CALLBACK (node_cb), self);
  g_signal_connect (connection, "closed", G_CALLBACK (closed_cb), self);
  return self;
}

/**
 * wa_link_set_timing:
 *
 * Changes how long each code is shown; for tests.
 */
void
wa_link_set_timing (WaLink *self,
                    guint   first_ref_ms,
                    guint   next_ref_ms)
{
  g_return_if_fail (WA_IS_LINK (self));
  assert_owner (self);
  self->first_ref_ms = first_ref_ms;
  self->next_ref_ms = next_ref_ms;
}
