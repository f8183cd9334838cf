/* wa-jid.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "wa-binary"

#include "config.h"

#include <string.h>

#include "wa-error.h"
#include "wa-jid.h"

/* Both strings live in the same allocation as the struct: the decoder
 * makes a JID for nearly every stanza, and one malloc is cheaper than three. */
struct _WaJid
{
  const char *user;        /* "" for a server */
  const char *server;      /* never empty */
  guint16     device;      /* 0: the account itself, or its phone */
  guint16     integrator;  /* interop only */
  guint8      agent;       /* legacy AD_JID agent byte, s.whatsapp.net only */
  char        strings[];
};

G_DEFINE_BOXED_TYPE (WaJid, wa_jid, wa_jid_ref, wa_jid_unref)

/* Auxiliary methods */

/* The largest device number the wire form for @server can carry: AD_JID
 * has one byte for it, FB_JID and INTEROP_JID two, JID_PAIR none. */
static guint
max_device_for_server (const char *server)
{
  if (g_str_equal (server, WA_SERVER_PN) || g_str_equal (server, WA_SERVER_LID) ||
      g_str_equal (server, WA_SERVER_HOSTED) || g_str_equal (server, WA_SERVER_HOSTED_LID))
    return G_MAXUINT8;
  if (g_str_equal (server, WA_SERVER_MSGR) || g_str_equal (server, WA_SERVER_INTEROP))
    return G_MAXUINT16;
  return 0;
}

/* A legacy agent shares the AD_JID domain byte, so it can only be a value
 * that is not one of the domains (and only on s.whatsapp.net, the server
 * the decoder assumes for it). */
static gboolean
agent_is_valid (const char *server,
                guint8      agent)
{
  if (agent == 0)
    return TRUE;
  return g_str_equal (server, WA_SERVER_PN) && agent != WA_JID_DOMAIN_LID &&
         agent != WA_JID_DOMAIN_HOSTED && agent != WA_JID_DOMAIN_HOSTED_LID;
}

static gboolean
check_parts (const char  *server,
             guint8       agent,
             guint16      device,
             guint16      integrator,
             GError     **error)
{
  if (server[0] == '\0')
    {
      g_set_error_literal (error, WA_ERROR, WA_ERROR_MALFORMED, "JID without a server");
      return FALSE;
    }
  if (device > max_device_for_server (server))
    {
      g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED,
                   "JID device %u is not possible on server %s", device, server);
      return FALSE;
    }
  if (!agent_is_valid (server, agent))
    {
      g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED,
                   "JID agent %u is not possible on server %s", agent, server);
      return FALSE;
    }
  if (integrator != 0 && !g_str_equal (server, WA_SERVER_INTEROP))
    {
      g_set_error (error, WA_ERROR, WA_ERROR_MALFORMED,
                   "JID integrator is only possible on server %s", WA_SERVER_INTEROP);
      return FALSE;
    }
  return TRUE;
}

static WaJid *
jid_alloc (const char *user,
           const char *server,
           guint8      agent,
           guint16     device,
           guint16     integrator)
{
  gsize user_len = strlen (user);
  gsize server_len = strlen (server);
  WaJid *self;
  char *strings;

  self = g_atomic_rc_box_alloc0 (sizeof (WaJid) + user_len + server_len + 2);
  strings = self->strings;
  memcpy (strings, user, user_len + 1);
  memcpy (strings + user_len + 1, server, server_len + 1);
  self->user = strings;
  self->server = strings + user_len + 1;
  self->agent = agent;
  self->device = device;
  self->integrator = integrator;
  return self;
}

/* Parses a decimal number of at most @max, digits only: no sign, no spaces. */
static gboolean
parse_number (const char *start,
              const char *end,
              guint       max,
              guint      *value)
{
  guint64 v = 0;

  if (start == end || end - start > 5)
    return FALSE;
  for (const char *p = start; p < end; p++)
    {
      if (!g_ascii_isdigit (*p))
        return FALSE;
      v = v * 10 + (guint)(*p - '0');
    }
  if (v > max)
    return FALSE;
  *value = (guint)v;
  return TRUE;
}

/* Public API */

/**
 * wa_jid_new_full:
 * @user: (nullable): the user part; %NULL or "" for a server
 * @server: the server, such as %WA_SERVER_PN; not empty
 * @agent: the legacy agent byte; 0 unless decoding old data
 * @device: the device number, 0 for the account itself
 * @integrator: the interop integrator, 0 elsewhere
 * @error: return location for a #GError
 *
 * Makes a JID, refusing parts its server's wire form cannot carry: a device
 * on a server without devices or above 255 on the AD_JID servers, an agent
 * anywhere but s.whatsapp.net, an integrator anywhere but interop.
 *
 * Returns: (transfer full) (nullable): the JID
 */
WaJid *
wa_jid_new_full (const char  *user,
                 const char  *server,
                 guint8       agent,
                 guint16      device,
                 guint16      integrator,
                 GError     **error)
{
  g_return_val_if_fail (server != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_parts (server, agent, device, integrator, error))
    return NULL;
  return jid_alloc (user != NULL ? user : "", server, agent, device, integrator);
}

/**
 * wa_jid_new_device:
 * @user: (nullable): the user part
 * @server: the server
 * @device: the device number; the server must allow one (see wa_jid_new_full())
 *
 * Returns: (transfer full): the JID of one device of an account
 */
WaJid *
wa_jid_new_device (const char *user,
                   const char *server,
                   guint16     device)
{
  g_return_val_if_fail (server != NULL && server[0] != '\0', NULL);
  g_return_val_if_fail (device <= max_device_for_server (server), NULL);

  return jid_alloc (user != NULL ? user : "", server, 0, device, 0);
}

/**
 * wa_jid_new:
 * @user: (nullable): the user part; %NULL or "" for a server
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
 * wa_jid_new_server:
 *
 * The server itself, "@s.whatsapp.net": the address of most iqs.
 *
 * Returns: (transfer full): the server JID
 */
WaJid *
wa_jid_new_server (void)
{
  return jid_alloc ("", WA_SERVER_PN, 0, 0, 0);
}

/**
 * wa_jid_new_pn_user:
 * @phone: an international number in digits, optionally with a leading "+"
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): "digits@s.whatsapp.net"
 */
WaJid *
wa_jid_new_pn_user (const char  *phone,
                    GError     **error)
{
  gsize len;

  g_return_val_if_fail (phone != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (phone[0] == '+')
    phone++;
  len = strlen (phone);

  /* E.164 allows at most 15 digits; a little slack costs nothing. */
  if (len == 0 || len > 20 || phone[0] == '0')
    goto invalid;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (phone[i]))
      goto invalid;

  return jid_alloc (phone, WA_SERVER_PN, 0, 0, 0);

invalid:
  g_set_error_literal (error, WA_ERROR, WA_ERROR_MALFORMED,
                       "Not an international phone number in digits");
  return NULL;
}

/**
 * wa_jid_parse:
 * @text: "user@server", "user:device@server", "user.agent:device@server"
 *   or "@server"
 * @error: return location for a #GError
 *
 * Parses the string form wa_jid_to_string() writes (and whatsmeow's).
 *
 * Returns: (transfer full) (nullable): the JID
 */
WaJid *
wa_jid_parse (const char  *text,
              GError     **error)
{
  g_autofree char *user = NULL;
  const char *at;
  const char *dot;
  const char *colon;
  const char *user_end;
  guint agent = 0;
  guint device = 0;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  at = strchr (text, '@');
  if (at == NULL || strchr (at + 1, '@') != NULL)
    {
      g_set_error_literal (error, WA_ERROR, WA_ERROR_MALFORMED, "Not a JID: needs exactly one @");
      return NULL;
    }

  /* "user.agent[:device]" or "user:device", at most one of each, the dot
   * first: the same grammar as whatsmeow's ParseJID. */
  dot = memchr (text, '.', at - text);
  colon = memchr (text, ':', at - text);
  user_end = dot != NULL ? dot : colon != NULL ? colon : at;

  if (dot != NULL && (memchr (dot + 1, '.', at - dot - 1) != NULL ||
                      (colon != NULL && colon < dot)))
    goto bad_device;
  if (colon != NULL && memchr (colon + 1, ':', at - colon - 1) != NULL)
    goto bad_device;
  if (dot != NULL && !parse_number (dot + 1, colon != NULL ? colon : at, G_MAXUINT8, &agent))
    goto bad_device;
  if (colon != NULL && !parse_number (colon + 1, at, G_MAXUINT16, &device))
    goto bad_device;

  user = g_strndup (text, user_end - text);
  return wa_jid_new_full (user, at + 1, agent, device, 0, error);

bad_device:
  g_set_error_literal (error, WA_ERROR, WA_ERROR_MALFORMED, "Not a JID: bad agent or device");
  return NULL;
}

/**
 * wa_jid_ref:
 * @self: a #WaJid
 *
 * Returns: (transfer full): @self
 */
WaJid *
wa_jid_ref (WaJid *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_atomic_rc_box_acquire (self);
}

/**
 * wa_jid_unref:
 * @self: (transfer full): a #WaJid
 *
 * Drops a reference; the last one frees the JID.
 */
void
wa_jid_unref (WaJid *self)
{
  g_return_if_fail (self != NULL);

  g_atomic_rc_box_release (self);
}

/**
 * wa_jid_get_user:
 * @self: a #WaJid
 *
 * Returns: the user part, "" for a server
 */
const char *
wa_jid_get_user (const WaJid *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->user;
}

/**
 * wa_jid_get_server:
 * @self: a #WaJid
 *
 * Returns: the server, such as %WA_SERVER_PN; never empty
 */
const char *
wa_jid_get_server (const WaJid *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->server;
}

/**
 * wa_jid_get_device:
 * @self: a #WaJid
 *
 * Returns: the device number; 0 for an account (or its primary phone)
 */
guint16
wa_jid_get_device (const WaJid *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->device;
}

/**
 * wa_jid_get_agent:
 * @self: a #WaJid
 *
 * Returns: the legacy agent byte of an s.whatsapp.net AD_JID, normally 0
 */
guint8
wa_jid_get_agent (const WaJid *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->agent;
}

/**
 * wa_jid_get_integrator:
 * @self: a #WaJid
 *
 * Returns: the integrator of an interop JID, 0 elsewhere
 */
guint16
wa_jid_get_integrator (const WaJid *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->integrator;
}

/**
 * wa_jid_get_domain:
 * @self: a #WaJid
 *
 * Returns: the AD_JID domain byte for this JID's server (a #WaJidDomain),
 *   or the legacy agent for any other server (normally 0)
 */
guint8
wa_jid_get_domain (const WaJid *self)
{
  g_return_val_if_fail (self != NULL, 0);

  if (g_str_equal (self->server, WA_SERVER_LID))
    return WA_JID_DOMAIN_LID;
  if (g_str_equal (self->server, WA_SERVER_HOSTED))
    return WA_JID_DOMAIN_HOSTED;
  if (g_str_equal (self->server, WA_SERVER_HOSTED_LID))
    return WA_JID_DOMAIN_HOSTED_LID;
  return self->agent;
}

/**
 * wa_jid_is_server:
 * @self: a #WaJid
 *
 * Returns: whether @self is "@s.whatsapp.net", the server itself
 */
gboolean
wa_jid_is_server (const WaJid *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->user[0] == '\0' && self->device == 0 && self->agent == 0 &&
         g_str_equal (self->server, WA_SERVER_PN);
}

/**
 * wa_jid_is_pn:
 * @self: a #WaJid
 *
 * Returns: whether @self is on s.whatsapp.net (phone-number addressing)
 */
gboolean
wa_jid_is_pn (const WaJid *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return g_str_equal (self->server, WA_SERVER_PN);
}

/**
 * wa_jid_is_lid:
 * @self: a #WaJid
 *
 * Returns: whether @self is on lid (LID addressing)
 */
gboolean
wa_jid_is_lid (const WaJid *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return g_str_equal (self->server, WA_SERVER_LID);
}

/**
 * wa_jid_is_group:
 * @self: a #WaJid
 *
 * Returns: whether @self is a group, on g.us
 */
gboolean
wa_jid_is_group (const WaJid *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return g_str_equal (self->server, WA_SERVER_GROUP);
}

/**
 * wa_jid_is_ad:
 * @self: a #WaJid
 *
 * Returns: whether @self names one device (or legacy agent) of an account
 */
gboolean
wa_jid_is_ad (const WaJid *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->device != 0 || self->agent != 0;
}

/**
 * wa_jid_is_user:
 * @self: a #WaJid
 *
 * Returns: whether @self is a person's account or one of its devices (on
 *   s.whatsapp.net, lid, hosted or hosted.lid), rather than a group, a
 *   broadcast list, a newsletter or a server
 */
gboolean
wa_jid_is_user (const WaJid *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->user[0] != '\0' && max_device_for_server (self->server) == G_MAXUINT8;
}

/**
 * wa_jid_equal:
 * @a: (type WaJid): a JID
 * @b: (type WaJid): another
 *
 * Compares every part, device, agent and integrator included. Usable as a
 * #GEqualFunc.
 *
 * Returns: whether @a and @b are the same address
 */
gboolean
wa_jid_equal (gconstpointer a,
              gconstpointer b)
{
  const WaJid *x = a;
  const WaJid *y = b;

  g_return_val_if_fail (x != NULL && y != NULL, FALSE);

  if (x == y)
    return TRUE;
  return x->device == y->device && x->agent == y->agent && x->integrator == y->integrator &&
         g_str_equal (x->user, y->user) && g_str_equal (x->server, y->server);
}

/**
 * wa_jid_hash:
 * @jid: (type WaJid): a JID
 *
 * Returns: a hash agreeing with wa_jid_equal(); usable as a #GHashFunc
 */
guint
wa_jid_hash (gconstpointer jid)
{
  const WaJid *self = jid;
  guint h;

  g_return_val_if_fail (self != NULL, 0);

  h = g_str_hash (self->user);
  h = h * 31 + g_str_hash (self->server);
  h = h * 31 + self->device;
  h = h * 31 + self->agent;
  h = h * 31 + self->integrator;
  return h;
}

static char *
format_jid (const WaJid *self,
            const char  *user)
{
  if (self->agent != 0)
    return g_strdup_printf ("%s.%u:%u@%s", user, self->agent, self->device, self->server);
  if (self->device != 0)
    return g_strdup_printf ("%s:%u@%s", user, self->device, self->server);
  return g_strconcat (user, "@", self->server, NULL);
}

/**
 * wa_jid_to_string:
 * @self: a #WaJid
 *
 * The form wa_jid_parse() reads: "user@server", "user:device@server",
 * "user.agent:device@server" or "@server". The interop integrator is not
 * part of it. This is the full address: for logs use
 * wa_jid_to_debug_string().
 *
 * Returns: (transfer full): the string form
 */
char *
wa_jid_to_string (const WaJid *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return format_jid (self, self->user);
}

/**
 * wa_jid_to_debug_string:
 * @self: a #WaJid
 *
 * Like wa_jid_to_string(), with long digit runs of the user (phone numbers,
 * LIDs, group creators) masked as by wa_jid_mask_digits(), for logs.
 *
 * Returns: (transfer full): the masked string form
 */
char *
wa_jid_to_debug_string (const WaJid *self)
{
  g_autofree char *user = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  user = wa_jid_mask_digits (self->user);
  return format_jid (self, user);
}

/**
 * wa_jid_to_non_ad:
 * @self: a #WaJid
 *
 * Drops the device and agent: from a device's JID to its account's, which
 * is also the 1:1 chat's JID.
 *
 * Returns: (transfer full): the account JID (@self itself when it already
 *   is one)
 */
WaJid *
wa_jid_to_non_ad (WaJid *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (!wa_jid_is_ad (self))
    return wa_jid_ref (self);
  return jid_alloc (self->user, self->server, 0, 0, self->integrator);
}

/**
 * wa_jid_to_device:
 * @self: a #WaJid
 * @device: a device number
 * @error: return location for a #GError
 *
 * The JID of device @device of @self's account, for example when expanding
 * a device list (WA-PROTOCOL.md §7.2). Device 0 gives the account JID.
 *
 * Returns: (transfer full) (nullable): the device JID, or %NULL when the
 *   server has no devices or @device is out of its range
 */
WaJid *
wa_jid_to_device (WaJid    *self,
                  guint16   device,
                  GError  **error)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (self->device == device && self->agent == 0)
    return wa_jid_ref (self);
  return wa_jid_new_full (self->user, self->server, 0, device, self->integrator, error);
}

/**
 * wa_jid_user_jid:
 * @self: a #WaJid
 *
 * The account JID in the form chats and contacts are keyed by: no device or
 * agent, and the legacy c.us server (still used in usync contact queries)
 * mapped to s.whatsapp.net, as Baileys' jidNormalizedUser() does.
 *
 * Returns: (transfer full): the normalized account JID
 */
WaJid *
wa_jid_user_jid (WaJid *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (g_str_equal (self->server, WA_SERVER_LEGACY))
    return jid_alloc (self->user, WA_SERVER_PN, 0, 0, 0);
  return wa_jid_to_non_ad (self);
}

/**
 * wa_jid_signal_address_name:
 * @self: a #WaJid
 *
 * The name part of the Signal protocol address of this JID's account: the
 * user, with "_<domain>" appended outside s.whatsapp.net ("_1" for LID,
 * "_128" hosted, "_129" hosted LID). WA-PROTOCOL.md §0.
 *
 * Returns: (transfer full): the name, such as "236395184570386_1"
 */
char *
wa_jid_signal_address_name (const WaJid *self)
{
  guint8 domain;

  g_return_val_if_fail (self != NULL, NULL);

  domain = wa_jid_get_domain (self);
  if (domain == 0)
    return g_strdup (self->user);
  return g_strdup_printf ("%s_%u", self->user, domain);
}

/**
 * wa_jid_signal_address:
 * @self: a device JID
 *
 * The address a Signal session is stored under: the name, "." and the
 * device number. Both reference clients use this string as a key.
 *
 * Returns: (transfer full): the address, such as "15551234567.0"
 */
char *
wa_jid_signal_address (const WaJid *self)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  name = wa_jid_signal_address_name (self);
  return g_strdup_printf ("%s.%u", name, self->device);
}

/**
 * wa_jid_mask_digits:
 * @text: (nullable): any text
 *
 * Masks every run of six or more ASCII digits, keeping its first two and
 * last two, so that a log line shows which number it was about without the
 * number: "15551234567@s.whatsapp.net" gives "15*******67@s.whatsapp.net".
 * Phone numbers, LIDs and old group ids (which embed their creator's
 * number) all are such runs.
 *
 * Returns: (transfer full): the masked text; "(null)" for %NULL
 */
char *
wa_jid_mask_digits (const char *text)
{
  GString *out;
  const char *p;

  if (text == NULL)
    return g_strdup ("(null)");

  out = g_string_sized_new (strlen (text));
  p = text;
  while (*p != '\0')
    {
      gsize run = 0;

      while (g_ascii_isdigit (p[run]))
        run++;

      if (run >= 6)
        {
          g_string_append_len (out, p, 2);
          for (gsize i = 2; i < run - 2; i++)
            g_string_append_c (out, '*');
          g_string_append_len (out, p + run - 2, 2);
          p += run;
        }
      else if (run > 0)
        {
          g_string_append_len (out, p, run);
          p += run;
        }
      else
        {
          g_string_append_c (out, *p);
          p++;
        }
    }
  return g_string_free (out, FALSE);
}
