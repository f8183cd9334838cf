/* wa-signal-bundle.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wa-signal"

#include "config.h"

#include <string.h>

#include "wa-error.h"
#include "wa-signal-bundle.h"

/*
 * Prekey bundles on the wire (protocol notes §7.3): the key fetch a sender
 * makes for devices it has no session with, and the answer's `<user>`
 * nodes, which a retry receipt's `<keys>` repeats (§8.5). Keys travel as
 * bare 32-byte Curve25519 points, ids as big-endian integers: 4 bytes for
 * the registration id, 3 for prekey ids.
 */

/* libsignal's "DJB" key type, the only one WhatsApp sends. */
#define DJB_TYPE 0x05

/**
 * wa_signal_bundle_answer_free:
 *
 * Frees one device's answer.
 */
void
wa_signal_bundle_answer_free (WaSignalBundleAnswer *answer)
{
  if (answer == NULL)
    return;
  g_clear_pointer (&answer->device, wa_jid_unref);
  g_clear_error (&answer->error);
  g_free (answer);
}

/* The child @tag of @node, or of its `<keys>`: a retry receipt wraps all
 * but the registration id in one, and whatsmeow accepts the wrapper in key
 * answers too. */
static WaNode *
find_child (WaNode     *node,
            const char *tag)
{
  WaNode *child = wa_node_get_child_by_tag (node, tag);
  WaNode *keys;

  if (child == NULL && (keys = wa_node_get_child_by_tag (node, "keys")) != NULL)
    child = wa_node_get_child_by_tag (keys, tag);
  return child;
}

static gboolean
content_exact (WaNode *node,
               guint8 *out,
               gsize   len)
{
  GBytes *content = node != NULL ? wa_node_get_content_bytes (node) : NULL;

  if (content == NULL || g_bytes_get_size (content) != len)
    return FALSE;
  memcpy (out, g_bytes_get_data (content, NULL), len);
  return TRUE;
}

static gboolean
content_be (WaNode  *node,
            gsize    len,
            guint32 *value)
{
  guint8 bytes[4];

  g_assert (len <= sizeof bytes);

  if (!content_exact (node, bytes, len))
    return FALSE;
  *value = 0;
  for (gsize i = 0; i < len; i++)
    *value = *value << 8 | bytes[i];
  return TRUE;
}

static WaNode *
child_of (WaNode     *node,
          const char *tag)
{
  return node != NULL ? wa_node_get_child_by_tag (node, tag) : NULL;
}

/**
 * wa_signal_bundle_parse:
 * @node: a key answer's `<user>`, or a retry `<receipt>` with `<keys>`
 * @bundle: (out caller-allocates): the bundle read
 * @error: return location for a #GError
 *
 * Reads a prekey bundle. The one-time prekey is optional (the server's
 * pool may be empty); everything else must be there at its exact length.
 *
 * Returns: %TRUE when @bundle is filled; %FALSE with %WA_ERROR_MALFORMED
 */
gboolean
wa_signal_bundle_parse (WaNode          *node,
                        WaSignalBundle  *bundle,
                        GError         **error)
{
  WaNode *type, *skey, *key;
  WaSignalBundle parsed = { 0 };
  guint8 key_type;

  g_return_val_if_fail (node != NULL, FALSE);
  g_return_val_if_fail (bundle != NULL, FALSE);

  type = find_child (node, "type");
  skey = find_child (node, "skey");
  key = find_child (node, "key");

  if (type != NULL && (!content_exact (type, &key_type, 1) || key_type != DJB_TYPE))
    {
      g_set_error_literal (error, WA_ERROR, WA_ERROR_MALFORMED, "The prekey bundle's key type is not Curve25519 (5)");
      return FALSE;
    }
  if (!content_be (find_child (node, "registration"), 4, &parsed.registration_id) ||
      !content_exact (find_child (node, "identity"), parsed.identity_key, WA_KEY_LEN) ||
      !content_be (child_of (skey, "id"), 3, &parsed.signed_pre_key_id) ||
      !content_exact (child_of (skey, "value"), parsed.signed_pre_key, WA_KEY_LEN) ||
      !content_exact (child_of (skey, "signature"), parsed.signed_pre_key_signature, WA_SIGNATURE_LEN))
    {
      g_set_error_literal (error, WA_ERROR, WA_ERROR_MALFORMED,
                           "The prekey bundle lacks its registration id, identity or signed prekey, "
                           "or one of them has the wrong length");
      return FALSE;
    }
  if (key != NULL)
    {
      if (!content_be (child_of (key, "id"), 3, &parsed.pre_key_id) ||
          !content_exact (child_of (key, "value"), parsed.pre_key, WA_KEY_LEN))
        {
          g_set_error_literal (error, WA_ERROR, WA_ERROR_MALFORMED, "The prekey bundle's one-time prekey is malformed");
          return FALSE;
        }
      parsed.has_pre_key = TRUE;
    }

  *bundle = parsed;
  return TRUE;
}

/**
 * wa_signal_bundles_request:
 * @devices: (element-type WaJid): the devices to fetch bundles of
 * @identity: ask with reason="identity", as whatsmeow always does and
 *   Baileys does when it wants the identity refreshed
 *
 * The key fetch of §7.3. Each bundle handed out uses up one of the
 * device's one-time prekeys on the server, so ask only for devices a
 * message is about to go to.
 *
 * Returns: (transfer full): the iq to send
 */
WaNode *
wa_signal_bundles_request (GPtrArray *devices,
                           gboolean   identity)
{
  WaNode *iq, *key;

  g_return_val_if_fail (devices != NULL && devices->len > 0, NULL);

  iq = wa_node_new_with_attrs ("iq", "to", "@s.whatsapp.net", "type", "get", "xmlns", "encrypt", NULL);
  key = wa_node_add_child (iq, wa_node_new ("key"));
  for (guint i = 0; i < devices->len; i++)
    {
      WaNode *user = wa_node_add_child (key, wa_node_new ("user"));

      wa_node_set_attr_jid (user, "jid", g_ptr_array_index (devices, i));
      if (identity)
        wa_node_set_attr (user, "reason", "identity");
    }
  return iq;
}

/**
 * wa_signal_parse_bundles:
 * @answer: the server's result iq to wa_signal_bundles_request()
 * @error: return location for a #GError
 *
 * Reads the answer, one entry for each `<user>` that names a device: its
 * bundle, or why it has none. A device the server does not mention has
 * no entry.
 *
 * Returns: (transfer full) (element-type WaSignalBundleAnswer) (nullable):
 *   the answers, or %NULL with %WA_ERROR_MALFORMED when @answer has no list
 */
GPtrArray *
wa_signal_parse_bundles (WaNode  *answer,
                         GError **error)
{
  g_autoptr(GPtrArray) answers = NULL;
  g_autoptr(GPtrArray) users = NULL;
  WaNode *list;

  g_return_val_if_fail (answer != NULL, NULL);

  list = wa_node_get_child_by_tag (answer, "list");
  if (list == NULL)
    {
      g_set_error_literal (error, WA_ERROR, WA_ERROR_MALFORMED, "The key server's answer has no list");
      return NULL;
    }

  answers = g_ptr_array_new_with_free_func ((GDestroyNotify) wa_signal_bundle_answer_free);
  users = wa_node_get_children_by_tag (list, "user");
  for (guint i = 0; users != NULL && i < users->len; i++)
    {
      WaNode *user = g_ptr_array_index (users, i);
      g_autoptr(WaSignalBundleAnswer) entry = g_new0 (WaSignalBundleAnswer, 1);
      WaNode *refusal;

      entry->device = wa_node_get_attr_jid (user, "jid");
      if (entry->device == NULL)
        {
          /* Nobody to attach it to; the caller sees the device as not
           * answered, which it must handle anyway. */
          g_debug ("A key answer names no device");
          continue;
        }

      if ((refusal = wa_node_get_child_by_tag (user, "error")) != NULL)
        entry->error = g_error_new (WA_ERROR, WA_ERROR_FAILED,
                                    "The server has no prekey bundle for this device (%s %s)",
                                    wa_node_get_attr (refusal, "code") != NULL ? wa_node_get_attr (refusal, "code") : "?",
                                    wa_node_get_attr (refusal, "text") != NULL ? wa_node_get_attr (refusal, "text") : "");
      else
        wa_signal_bundle_parse (user, &entry->bundle, &entry->error);
      g_ptr_array_add (answers, g_steal_pointer (&entry));
    }
  return g_steal_pointer (&answers);
}
