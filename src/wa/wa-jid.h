/* wa-jid.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* The servers of WA-PROTOCOL.md §0. */
#define WA_SERVER_PN         "s.whatsapp.net"
#define WA_SERVER_LID        "lid"
#define WA_SERVER_GROUP      "g.us"
#define WA_SERVER_LEGACY     "c.us"
#define WA_SERVER_BROADCAST  "broadcast"
#define WA_SERVER_NEWSLETTER "newsletter"
#define WA_SERVER_HOSTED     "hosted"
#define WA_SERVER_HOSTED_LID "hosted.lid"
#define WA_SERVER_MSGR       "msgr"
#define WA_SERVER_INTEROP    "interop"
#define WA_SERVER_BOT        "bot"

/**
 * WaJidDomain:
 * @WA_JID_DOMAIN_PN: phone-number accounts, s.whatsapp.net
 * @WA_JID_DOMAIN_LID: LID accounts, lid
 * @WA_JID_DOMAIN_HOSTED: hosted (business API) accounts
 * @WA_JID_DOMAIN_HOSTED_LID: hosted accounts under their LID
 *
 * The domain byte of an AD_JID, which also names the Signal address suffix.
 * Other byte values are a legacy "agent" on s.whatsapp.net.
 */
typedef enum {
  WA_JID_DOMAIN_PN = 0,
  WA_JID_DOMAIN_LID = 1,
  WA_JID_DOMAIN_HOSTED = 128,
  WA_JID_DOMAIN_HOSTED_LID = 129,
} WaJidDomain;

/**
 * WaJid:
 *
 * A WhatsApp address: "user@server", "user:device@server" for one device of
 * an account (an AD-JID), "@server" for a server itself. Immutable and
 * reference counted, so it can be shared between threads.
 *
 * Every #WaJid can be written on the wire exactly: the constructors refuse
 * a device or agent on a server whose wire form has no room for it.
 */
typedef struct _WaJid WaJid;

#define WA_TYPE_JID (wa_jid_get_type ())

GType        wa_jid_get_type             (void) G_GNUC_CONST;

WaJid       *wa_jid_new                  (const char   *user,
                                          const char   *server);
WaJid       *wa_jid_new_device           (const char   *user,
                                          const char   *server,
                                          guint16       device);
WaJid       *wa_jid_new_full             (const char   *user,
                                          const char   *server,
                                          guint8        agent,
                                          guint16       device,
                                          guint16       integrator,
                                          GError      **error);
WaJid       *wa_jid_new_server           (void);
WaJid       *wa_jid_new_pn_user          (const char   *phone,
                                          GError      **error);
WaJid       *wa_jid_parse                (const char   *text,
                                          GError      **error);

WaJid       *wa_jid_ref                  (WaJid        *self);
void         wa_jid_unref                (WaJid        *self);

const char  *wa_jid_get_user             (const WaJid  *self);
const char  *wa_jid_get_server           (const WaJid  *self);
guint16      wa_jid_get_device           (const WaJid  *self);
guint8       wa_jid_get_agent            (const WaJid  *self);
guint16      wa_jid_get_integrator       (const WaJid  *self);
guint8       wa_jid_get_domain           (const WaJid  *self);

gboolean     wa_jid_is_server            (const WaJid  *self);
gboolean     wa_jid_is_pn                (const WaJid  *self);
gboolean     wa_jid_is_lid               (const WaJid  *self);
gboolean     wa_jid_is_group             (const WaJid  *self);
gboolean     wa_jid_is_ad                (const WaJid  *self);
gboolean     wa_jid_is_user              (const WaJid  *self);

gboolean     wa_jid_equal                (gconstpointer a,
                                          gconstpointer b);
guint        wa_jid_hash                 (gconstpointer jid);

char        *wa_jid_to_string            (const WaJid  *self);
char        *wa_jid_to_debug_string      (const WaJid  *self);
WaJid       *wa_jid_to_non_ad            (WaJid        *self);
WaJid       *wa_jid_user_jid             (WaJid        *self);
WaJid       *wa_jid_to_device            (WaJid        *self,
                                          guint16       device,
                                          GError      **error);
char        *wa_jid_signal_address_name  (const WaJid  *self);
char        *wa_jid_signal_address       (const WaJid  *self);

char        *wa_jid_mask_digits          (const char   *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WaJid, wa_jid_unref)

G_END_DECLS
