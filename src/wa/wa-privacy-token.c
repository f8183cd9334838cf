/* wa-privacy-token.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wa-privacy"

#include "config.h"

#include <string.h>

#include "wa-error.h"
#include "wa-jid.h"
#include "wa-privacy-token.h"

/*
 * Trusted-contact tokens (WA-FIDELITY §1). A contact's client issues one
 * to us when it writes to us; the server pushes it in a privacy_token
 * notification, and attaching it to our messages tells the server the
 * conversation is not a cold reach-out. Tokens age in week-long buckets:
 * one stays good for the bucket it was issued in and the three before
 * the current one, so 21 to 28 days. Without one, a cstoken derived from
 * the account's NCT salt and the contact's LID is what WhatsApp Web sends.
 */

/* A token larger than this is not a token: the real ones are a few dozen
 * bytes, and a hostile peer should not make us store megabytes. */
#define MAX_TOKEN_LEN 1024

void
wa_privacy_token_free (WaPrivacyToken *token)
{
  if (token == NULL)
    return;
  g_free (token->issuer);
  g_free (token->issuer_lid);
  g_clear_pointer (&token->token, g_bytes_unref);
  g_free (token);
}

/* People, not the service account (user 0) nor bots, whose tokens mean
 * nothing to a conversation. */
static gboolean
is_regular_user (WaJid *jid)
{
  const char *user = wa_jid_get_user (jid);

  if (!wa_jid_is_pn (jid) && !wa_jid_is_lid (jid))
    return FALSE;
  if (g_str_equal (user, "0"))
    return FALSE;
  if (wa_jid_is_pn (jid) && (g_str_has_prefix (user, "1313555") || g_str_has_prefix (user, "131655500")))
    return FALSE;
  return TRUE;
}

/**
 * wa_privacy_token_parse:
 * @notification: a `<notification type="privacy_token">`
 * @error: return location for an error
 *
 * Reads the trusted-contact tokens of a privacy_token notification. Tokens
 * of another type, without bytes or without a time, or from an issuer
 * that is not a person, are left out.
 *
 * Returns: (transfer full) (element-type WaPrivacyToken): the tokens, or
 *   %NULL when the notification does not name a valid issuer
 */
GPtrArray *
wa_privacy_token_parse (WaNode  *notification,
                        GError **error)
{
  const char *from = wa_node_get_attr (notification, "from");
  const char *sender_lid = wa_node_get_attr (notification, "sender_lid");
  g_autoptr(WaJid) issuer = from != NULL ? wa_jid_parse (from, NULL) : NULL;
  g_autoptr(WaJid) issuer_lid = sender_lid != NULL ? wa_jid_parse (sender_lid, NULL) : NULL;
  WaNode *tokens = wa_node_get_child_by_tag (notification, "tokens");
  g_autoptr(GPtrArray) children = tokens != NULL ? wa_node_get_children_by_tag (tokens, "token") : NULL;
  g_autoptr(GPtrArray) parsed = g_ptr_array_new_with_free_func ((GDestroyNotify) wa_privacy_token_free);
  g_autoptr(WaJid) issuer_user = NULL;
  g_autoptr(WaJid) lid_user = NULL;

  g_return_val_if_fail (notification != NULL, NULL);

  if (issuer == NULL || !is_regular_user (issuer))
    {
      g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED, "A privacy token from no one to keep one from");
      return NULL;
    }
  issuer_user = wa_jid_to_non_ad (issuer);
  if (issuer_lid != NULL && wa_jid_is_lid (issuer_lid))
    lid_user = wa_jid_to_non_ad (issuer_lid);

  for (guint i = 0; children != NULL && i < children->len; i++)
    {
      WaNode *child = g_ptr_array_index (children, i);
      GBytes *bytes = wa_node_get_content_bytes (child);
      const char *t_text = wa_node_get_attr (child, "t");
      guint64 t = 0;
      WaPrivacyToken *token;

      if (g_strcmp0 (wa_node_get_attr (child, "type"), "trusted_contact") != 0 || bytes == NULL ||
          g_bytes_get_size (bytes) == 0 || g_bytes_get_size (bytes) > MAX_TOKEN_LEN ||
          t_text == NULL || !g_ascii_string_to_unsigned (t_text, 10, 1, G_MAXINT64, &t, NULL))
        continue;
      token = g_new0 (WaPrivacyToken, 1);
      token->issuer = wa_jid_to_string (issuer_user);
      token->issuer_lid = lid_user != NULL ? wa_jid_to_string (lid_user) : NULL;
      token->timestamp = (gint64) t;
      token->token = g_bytes_ref (bytes);
      g_ptr_array_add (parsed, token);
    }
  return g_steal_pointer (&parsed);
}

/**
 * wa_tctoken_cutoff:
 * @now: Unix seconds
 *
 * Returns: the oldest token time still valid at @now, with the default
 *   buckets
 */
gint64
wa_tctoken_cutoff (gint64 now)
{
  return wa_tctoken_cutoff_for (now, WA_TCTOKEN_DURATION_S, WA_TCTOKEN_NUM_BUCKETS);
}

/**
 * wa_tctoken_cutoff_for:
 * @now: Unix seconds
 * @duration: a bucket's length in seconds (at least 1)
 * @buckets: how many buckets a token lives (at least 1)
 *
 * Returns: the oldest token time still valid at @now
 */
gint64
wa_tctoken_cutoff_for (gint64 now,
                       gint64 duration,
                       gint64 buckets)
{
  duration = MAX (duration, 1);
  buckets = MAX (buckets, 1);
  return (now / duration - (buckets - 1)) * duration;
}

/**
 * wa_tctoken_is_valid:
 * @timestamp: when a token was issued, Unix seconds
 * @now: Unix seconds
 *
 * Returns: whether the token may still be attached at @now, with the
 *   default buckets
 */
gboolean
wa_tctoken_is_valid (gint64 timestamp,
                     gint64 now)
{
  return wa_tctoken_is_valid_for (timestamp, now, WA_TCTOKEN_DURATION_S, WA_TCTOKEN_NUM_BUCKETS);
}

/**
 * wa_tctoken_is_valid_for:
 * @timestamp: when a token was issued, Unix seconds
 * @now: Unix seconds
 * @duration: a bucket's length in seconds
 * @buckets: how many buckets a token lives
 *
 * Returns: whether the token may still be attached at @now
 */
gboolean
wa_tctoken_is_valid_for (gint64 timestamp,
                         gint64 now,
                         gint64 duration,
                         gint64 buckets)
{
  return timestamp > 0 && timestamp >= wa_tctoken_cutoff_for (now, duration, buckets);
}

/**
 * wa_tctoken_should_issue:
 * @sent_timestamp: when we last issued our token to a contact, or 0
 * @now: Unix seconds
 *
 * Our token goes to a contact at most once per bucket: issuing it again
 * inside the bucket would tell the server nothing new.
 *
 * Returns: whether to issue it now
 */
gboolean
wa_tctoken_should_issue (gint64 sent_timestamp,
                         gint64 now)
{
  return wa_tctoken_should_issue_for (sent_timestamp, now, WA_TCTOKEN_DURATION_S);
}

/**
 * wa_tctoken_should_issue_for:
 * @sent_timestamp: when we last issued our token to a contact, or 0
 * @now: Unix seconds
 * @duration: the sender's bucket length in seconds
 *
 * Returns: whether to issue it now
 */
gboolean
wa_tctoken_should_issue_for (gint64 sent_timestamp,
                             gint64 now,
                             gint64 duration)
{
  duration = MAX (duration, 1);
  return sent_timestamp <= 0 || now / duration > sent_timestamp / duration;
}

static GBytes *
pack_time (gint64 timestamp,
           GBytes *token)
{
  gsize token_len = token != NULL ? g_bytes_get_size (token) : 0;
  guint8 *record = g_malloc (8 + token_len);

  for (guint i = 0; i < 8; i++)
    record[i] = (guint64) timestamp >> (56 - 8 * i);
  if (token_len > 0)
    memcpy (record + 8, g_bytes_get_data (token, NULL), token_len);
  return g_bytes_new_take (record, 8 + token_len);
}

/* The time at the head of a record, or -1 for a record too short. */
static gint64
unpack_time (GBytes *record)
{
  const guint8 *data;
  guint64 timestamp = 0;

  if (record == NULL || g_bytes_get_size (record) < 8)
    return -1;
  data = g_bytes_get_data (record, NULL);
  for (guint i = 0; i < 8; i++)
    timestamp = timestamp << 8 | data[i];
  return (gint64) MIN (timestamp, (guint64) G_MAXINT64);
}

/**
 * wa_tctoken_save:
 * @store: the device's key store
 * @contact: the issuer's bare LID user, or its number when no LID is known
 * @timestamp: when it was issued
 * @token: the token
 *
 * Keeps the token unless the stored one is newer: notifications can arrive
 * out of order (offline queue, history sync).
 *
 * Returns: whether it was kept
 */
gboolean
wa_tctoken_save (WaKeyStore *store,
                 const char *contact,
                 gint64      timestamp,
                 GBytes     *token)
{
  g_autoptr(GBytes) known = NULL;
  g_autoptr(GBytes) record = NULL;

  g_return_val_if_fail (WA_IS_KEY_STORE (store), FALSE);
  g_return_val_if_fail (contact != NULL && token != NULL, FALSE);

  known = wa_key_store_load (store, WA_TCTOKEN_KIND, contact);
  if (known != NULL && g_bytes_get_size (known) > 8 && unpack_time (known) > timestamp)
    return FALSE;
  record = pack_time (timestamp, token);
  if (known == NULL || !g_bytes_equal (known, record))
    wa_key_store_save (store, WA_TCTOKEN_KIND, contact, record);
  return TRUE;
}

/**
 * wa_tctoken_load:
 * @store: the device's key store
 * @contact: the issuer's bare LID user, or its number
 * @timestamp: (out): when it was issued
 *
 * Returns: (transfer full) (nullable): the token the contact issued to us
 */
GBytes *
wa_tctoken_load (WaKeyStore *store,
                 const char *contact,
                 gint64     *timestamp)
{
  g_autoptr(GBytes) record = NULL;

  g_return_val_if_fail (WA_IS_KEY_STORE (store), NULL);

  *timestamp = 0;
  record = contact != NULL ? wa_key_store_load (store, WA_TCTOKEN_KIND, contact) : NULL;
  if (record == NULL || g_bytes_get_size (record) <= 8)
    return NULL;
  *timestamp = unpack_time (record);
  return g_bytes_new_from_bytes (record, 8, g_bytes_get_size (record) - 8);
}

/**
 * wa_tctoken_save_sent:
 * @store: the device's key store
 * @contact: the contact's bare LID user, or its number
 * @timestamp: when the server took our token for it
 */
void
wa_tctoken_save_sent (WaKeyStore *store,
                      const char *contact,
                      gint64      timestamp)
{
  g_autoptr(GBytes) record = pack_time (timestamp, NULL);

  g_return_if_fail (WA_IS_KEY_STORE (store));
  wa_key_store_save (store, WA_TCTOKEN_SENT_KIND, contact, record);
}

/**
 * wa_tctoken_load_sent:
 *
 * Returns: when we last issued our token to @contact, or 0
 */
gint64
wa_tctoken_load_sent (WaKeyStore *store,
                      const char *contact)
{
  g_autoptr(GBytes) record = NULL;

  g_return_val_if_fail (WA_IS_KEY_STORE (store), 0);

  record = contact != NULL ? wa_key_store_load (store, WA_TCTOKEN_SENT_KIND, contact) : NULL;
  return MAX (unpack_time (record), 0);
}

/**
 * wa_cstoken_compute:
 * @salt: the account's NCT salt
 * @lid_user: the recipient's bare LID user
 * @out: (out caller-allocates): the 32-byte token
 *
 * HMAC-SHA256 keyed by the salt over "<lid user>@lid", as WhatsApp Web
 * computes the token it sends on a first message.
 */
void
wa_cstoken_compute (GBytes     *salt,
                    const char *lid_user,
                    guint8      out[WA_CSTOKEN_LEN])
{
  g_autofree char *input = g_strconcat (lid_user, "@lid", NULL);

  wa_crypto_hmac_sha256 (g_bytes_get_data (salt, NULL), g_bytes_get_size (salt),
                         (const guint8 *) input, strlen (input), out);
}
