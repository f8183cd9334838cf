/* wa-jid.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wa-jid"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "wa-error.h"
#include "wa-jid.h"

struct _WaJid
{
  char    *user;     /* "" for the server itself */
  char    *server;
  guint16  device;   /* 0: the account, or its phone */
};

G_DEFINE_BOXED_TYPE (WaJid, wa_jid, wa_jid_ref, wa_jid_unref)

static void
jid_clear (gpointer data)
{
  WaJid *self = data;

  g_free (self->user);
  g_free (self->server);
}

WaJid *
wa_jid_new_device (const char *user,
                   const char *server,
                   guint16     device)
{
  WaJid *self;

  g_return_val_if_fail (server != NULL, NULL);

  self = g_atomic_rc_box_new0 (WaJid);
  self->user = g_strdup (user != NULL ? user : "");
  self->server = g_strdup (server);
  self->device = device;
  return self;
}

/**
 * wa_jid_new:
 * @user: (nullable): the user part; %NULL or "" for the server
 * @server: the server, such as %WA_SERVER_PN
 *
 * Returns: (transfer full): a JID
 */
WaJid *
wa_jid_new (const char *user,
            const char *server)
{
  return wa_jid_new_device (user, server, 0);
}

/**
 * wa_jid_parse:
 * @text: "user@server", "user:device@server" or "@server"
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the JID
 */
WaJid *
wa_jid_parse (const char  *text,
              GError     **error)
{
  g_autofree char *user = NULL;
  const char *at = strrchr (text, '@');
  const char *colon;
  guint64 device = 0;

  if (at == NULL || at[1] == '\0')
    {
      g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED, "Not a JID: no server part");
      return NULL;
    }

  user = g_strndup (text, at - text);
  colon = strchr (user, ':');
  if (colon != NULL)
    {
      char *end = NULL;

      device = g_ascii_strtoull (colon + 1, &end, 10);
      if (end == colon + 1 || *end != '\0' || device > G_MAXUINT16)
        {
          g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED, "Not a JID: bad device number");
          return NULL;
        }
      user[colon - user] = '\0';
    }

  return wa_jid_new_device (user, at + 1, (guint16)device);
}

WaJid *
wa_jid_ref (WaJid *self)
{
  return g_atomic_rc_box_acquire (self);
}

void
wa_jid_unref (WaJid *self)
{
  g_atomic_rc_box_release_full (self, jid_clear);
}

const char *
wa_jid_get_user (const WaJid *self)
{
  return self->user;
}

const char *
wa_jid_get_server (const WaJid *self)
{
  return self->server;
}

guint16
wa_jid_get_device (const WaJid *self)
{
  return self->device;
}

gboolean
wa_jid_is_server (const WaJid *self)
{
  return self->user[0] == '\0' && g_str_equal (self->server, WA_SERVER_PN);
}

gboolean
wa_jid_equal (const WaJid *a,
              const WaJid *b)
{
  return a->device == b->device && g_str_equal (a->user, b->user) &&
         g_str_equal (a->server, b->server);
}

/**
 * wa_jid_to_string:
 * @self: a #WaJid
 *
 * Returns: (transfer full): "user@server", with ":device" when not 0
 */
char *
wa_jid_to_string (const WaJid *self)
{
  if (self->device != 0)
    return g_strdup_printf ("%s:%u@%s", self->user, self->device, self->server);
  return g_strdup_printf ("%s@%s", self->user, self->server);
}

/**
 * wa_jid_to_non_device:
 * @self: a #WaJid
 *
 * Returns: (transfer full): the account this device belongs to
 */
WaJid *
wa_jid_to_non_device (const WaJid *self)
{
  return wa_jid_new (self->user, self->server);
}

/**
 * wa_jid_signal_address:
 * @self: a device JID
 *
 * The name libsignal stores this device's session under: the user, with
 * "_1" for LID accounts, then "." and the device number.
 *
 * Returns: (transfer full): the address, such as "15551234567.0"
 */
char *
wa_jid_signal_address (const WaJid *self)
{
  const char *suffix = "";

  if (g_str_equal (self->server, WA_SERVER_LID))
    suffix = "_1";
  else if (g_str_equal (self->server, "hosted"))
    suffix = "_128";
  else if (g_str_equal (self->server, "hosted.lid"))
    suffix = "_129";

  return g_strdup_printf ("%s%s.%u", self->user, suffix, self->device);
}
