/* wa-signal-address.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wa-signal"

#include "config.h"

#include "wa-error.h"
#include "wa-signal-address.h"

/*
 * A device's Signal address is (name, device id) with name = the JID's
 * user, plus "_<domain>" outside s.whatsapp.net: "_1" for lid, "_128"
 * for hosted, "_129" for hosted.lid (protocol notes §0). Both reference
 * clients key their sessions and identities by "<name>.<device>", and so
 * do we, which is why the way back from an address to a JID matters: the
 * store callbacks only see addresses.
 */

static const struct
{
  guint8      domain;
  const char *server;
} domains[] = {
  { WA_JID_DOMAIN_LID, WA_SERVER_LID },
  { WA_JID_DOMAIN_HOSTED, WA_SERVER_HOSTED },
  { WA_JID_DOMAIN_HOSTED_LID, WA_SERVER_HOSTED_LID },
};

/**
 * wa_signal_address_init:
 * @self: (out caller-allocates): the address to fill
 * @device: a device JID (device 0 is the primary phone)
 */
void
wa_signal_address_init (WaSignalAddress *self,
                        const WaJid     *device)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (device != NULL);

  self->name = wa_jid_signal_address_name (device);
  self->address.name = self->name;
  self->address.name_len = strlen (self->name);
  self->address.device_id = wa_jid_get_device (device);
}

/**
 * wa_signal_address_clear:
 *
 * Frees what wa_signal_address_init() allocated; @self may be cleared twice.
 */
void
wa_signal_address_clear (WaSignalAddress *self)
{
  g_return_if_fail (self != NULL);

  g_clear_pointer (&self->name, g_free);
  self->address.name = NULL;
  self->address.name_len = 0;
  self->address.device_id = 0;
}

/**
 * wa_signal_address_to_string:
 * @address: a libsignal address (its name need not end with a NUL)
 *
 * Returns: (transfer full): "<name>.<device>", the key both reference
 *   clients store sessions under
 */
char *
wa_signal_address_to_string (const signal_protocol_address *address)
{
  /* The store callbacks name the session this way several times for
   * every message, and the printf machinery cost more than the lookup
   * that follows. */
  char digits[11];
  char *at = digits + sizeof digits;
  gsize digits_len;
  guint32 device;
  char *text;

  g_return_val_if_fail (address != NULL, NULL);

  device = address->device_id < 0 ? -(guint32) address->device_id : (guint32) address->device_id;
  do
    *--at = '0' + device % 10;
  while ((device /= 10) > 0);
  if (address->device_id < 0)
    *--at = '-';
  digits_len = digits + sizeof digits - at;

  text = g_malloc (address->name_len + 1 + digits_len + 1);
  memcpy (text, address->name, address->name_len);
  text[address->name_len] = '.';
  memcpy (text + address->name_len + 1, at, digits_len);
  text[address->name_len + 1 + digits_len] = '\0';
  return text;
}

/* Parses @text as a decimal number of at most @max, digits only. */
static gboolean
parse_decimal (const char *text,
               guint64     max,
               guint64    *value)
{
  if (text[0] == '\0' || (text[0] == '0' && text[1] != '\0'))
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return g_ascii_string_to_unsigned (text, 10, 0, max, value, NULL);
}

/**
 * wa_signal_address_to_jid:
 * @address: a Signal address made from a WhatsApp device
 * @error: return location for a #GError
 *
 * The way back from wa_signal_address_init(): the device JID the address
 * names. A "_<n>" suffix other than a domain is a legacy agent on
 * s.whatsapp.net, as wa_jid_signal_address_name() writes it.
 *
 * Returns: (transfer full) (nullable): the device JID, or %NULL with
 *   %WA_ERROR_MALFORMED for a name no WhatsApp JID gives
 */
WaJid *
wa_signal_address_to_jid (const signal_protocol_address *address,
                          GError                       **error)
{
  g_autofree char *name = NULL;
  const char *server = WA_SERVER_PN;
  guint8 agent = 0;
  char *underscore;

  g_return_val_if_fail (address != NULL, NULL);

  name = g_strndup (address->name, address->name_len);
  if (strlen (name) != address->name_len || address->device_id < 0 || address->device_id > G_MAXUINT16)
    {
      g_set_error_literal (error, WA_ERROR, WA_ERROR_MALFORMED, "Signal address is not a WhatsApp device");
      return NULL;
    }

  underscore = strrchr (name, '_');
  if (underscore != NULL)
    {
      guint64 domain;

      if (!parse_decimal (underscore + 1, G_MAXUINT8, &domain) || domain == 0)
        {
          g_set_error_literal (error, WA_ERROR, WA_ERROR_MALFORMED, "Signal address has an unknown domain suffix");
          return NULL;
        }
      *underscore = '\0';
      agent = domain;
      for (guint i = 0; i < G_N_ELEMENTS (domains); i++)
        if (domains[i].domain == domain)
          {
            server = domains[i].server;
            agent = 0;
          }
    }

  if (name[0] == '\0' || strchr (name, '@') != NULL || strchr (name, ':') != NULL)
    {
      g_set_error_literal (error, WA_ERROR, WA_ERROR_MALFORMED, "Signal address has no valid user");
      return NULL;
    }

  return wa_jid_new_full (name, server, agent, address->device_id, 0, error);
}

/**
 * wa_signal_address_parse:
 * @text: "<name>.<device>", as wa_signal_address_to_string() writes it
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the device JID, or %NULL with
 *   %WA_ERROR_MALFORMED
 */
WaJid *
wa_signal_address_parse (const char  *text,
                         GError     **error)
{
  signal_protocol_address address;
  const char *dot;
  guint64 device;

  g_return_val_if_fail (text != NULL, NULL);

  dot = strrchr (text, '.');
  if (dot == NULL || !parse_decimal (dot + 1, G_MAXUINT16, &device))
    {
      g_set_error_literal (error, WA_ERROR, WA_ERROR_MALFORMED, "Signal address without a device number");
      return NULL;
    }

  address.name = text;
  address.name_len = dot - text;
  address.device_id = device;
  return wa_signal_address_to_jid (&address, error);
}
