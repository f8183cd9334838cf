/* wa-ab-props.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wa-ab-props"

#include "config.h"

#include <string.h>

#include "wa-ab-props.h"
#include "wa-error.h"

/* Values are short numbers or words; a longer one is not kept. */
#define MAX_VALUE_LEN 256

/*
 * AB props: the server's switches and numbers for this account, fetched
 * after each login as WhatsApp Web does (WA-FIDELITY §8 step 5) and
 * kept under "abprops"/<config code>, with the answer's hash under
 * "abprops"/"hash" so the next query can say what it already holds. The
 * server's rollouts decide, within limits, how long privacy tokens last
 * and whether they are sent at all; a prop never received keeps the
 * client's default.
 */

#define HASH_KEY "hash"

/**
 * wa_ab_props_request:
 * @store: where the props are kept
 *
 * Returns: (transfer full): the query, naming the hash of the props held
 */
WaNode *
wa_ab_props_request (WaKeyStore *store)
{
  WaNode *iq = wa_node_new_with_attrs ("iq", "to", "@s.whatsapp.net", "type", "get", "xmlns", "abt", NULL);
  WaNode *props = wa_node_add_child (iq, wa_node_new_with_attrs ("props", "protocol", "1", NULL));
  g_autoptr(GBytes) hash = wa_key_store_load (store, WA_AB_PROPS_KIND, HASH_KEY);

  if (hash != NULL && g_bytes_get_size (hash) > 0)
    {
      g_autofree char *text = g_strndup (g_bytes_get_data (hash, NULL), g_bytes_get_size (hash));

      wa_node_set_attr (props, "hash", text);
    }
  return iq;
}

static gboolean
is_code (const char *text)
{
  guint64 code;

  return text != NULL && g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT32, &code, NULL);
}

static void
save_text (WaKeyStore *store,
           const char *key,
           const char *text)
{
  g_autoptr(GBytes) value = g_bytes_new (text, strlen (text));

  wa_key_store_save (store, WA_AB_PROPS_KIND, key, value);
}

/**
 * wa_ab_props_store:
 * @store: where the props are kept
 * @answer: the server's result
 * @n_props: (out) (optional): how many props it carried
 * @error: return location for a #GError
 *
 * Keeps each prop of @answer, replacing the value held for its code; an
 * answer without props (the hash asked for is current) changes nothing.
 *
 * Returns: %FALSE with %WA_ERROR_MALFORMED when @answer has no props
 */
gboolean
wa_ab_props_store (WaKeyStore  *store,
                   WaNode      *answer,
                   guint       *n_props,
                   GError     **error)
{
  WaNode *props = wa_node_get_child_by_tag (answer, "props");
  g_autoptr(GPtrArray) list = NULL;
  guint n = 0;

  g_return_val_if_fail (WA_IS_KEY_STORE (store), FALSE);

  if (props == NULL)
    {
      g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED, "The AB props answer has no props");
      return FALSE;
    }
  list = wa_node_get_children_by_tag (props, "prop");
  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      WaNode *prop = g_ptr_array_index (list, i);
      const char *code = wa_node_get_attr (prop, "config_code");
      const char *value = wa_node_get_attr (prop, "config_value");

      if (!is_code (code) || value == NULL || strlen (value) > MAX_VALUE_LEN)
        continue;
      save_text (store, code, value);
      n++;
    }
  if (wa_node_get_attr (props, "hash") != NULL)
    save_text (store, HASH_KEY, wa_node_get_attr (props, "hash"));
  if (n_props != NULL)
    *n_props = n;
  return TRUE;
}

/* Props are read several times a message (token lifetimes, switches), so
 * this formats the key and copies the value on the stack: printf and two
 * allocations cost more than the lookup itself. */
static gboolean
load_value (WaKeyStore *store,
            guint       code,
            char        text[MAX_VALUE_LEN + 1])
{
  char key[16];
  char *digit = key + sizeof key - 1;
  g_autoptr(GBytes) value = NULL;
  gsize len;

  *digit = '\0';
  do
    *--digit = '0' + code % 10;
  while ((code /= 10) > 0);
  value = wa_key_store_load (store, WA_AB_PROPS_KIND, digit);
  if (value == NULL || (len = g_bytes_get_size (value)) > MAX_VALUE_LEN)
    return FALSE;
  memcpy (text, g_bytes_get_data (value, NULL), len);
  text[len] = '\0';
  return TRUE;
}

/**
 * wa_ab_props_get_int:
 * @code: the prop's config code
 * @min: the smallest value taken
 * @max: the largest value taken
 * @fallback: when the server never sent it, or sent no number
 *
 * Returns: the prop's value, held within [@min, @max] so a bad rollout
 *   cannot make a token last forever or not at all
 */
gint64
wa_ab_props_get_int (WaKeyStore *store,
                     guint       code,
                     gint64      min,
                     gint64      max,
                     gint64      fallback)
{
  char text[MAX_VALUE_LEN + 1];
  gint64 value;

  g_return_val_if_fail (WA_IS_KEY_STORE (store), fallback);

  if (!load_value (store, code, text) || !g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &value, NULL))
    return fallback;
  return CLAMP (value, min, max);
}

/**
 * wa_ab_props_allows:
 * @code: a switch's config code
 *
 * Returns: %FALSE only when the server turned the switch off ("0" or
 *   "false"): a switch it never sent stays on, as the reference clients
 *   that act on these (whatsmeow, Baileys) behave without props
 */
gboolean
wa_ab_props_allows (WaKeyStore *store,
                    guint       code)
{
  char text[MAX_VALUE_LEN + 1];

  g_return_val_if_fail (WA_IS_KEY_STORE (store), TRUE);
  return !load_value (store, code, text) || (strcmp (text, "0") != 0 && strcmp (text, "false") != 0);
}
