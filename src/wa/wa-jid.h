/* wa-jid.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define WA_SERVER_PN     "s.whatsapp.net"
#define WA_SERVER_LID    "lid"
#define WA_SERVER_GROUP  "g.us"
#define WA_SERVER_LEGACY "c.us"

/**
 * WaJid:
 *
 * A WhatsApp address: "user@server", or "user:device@server" for one
 * device of an account (an AD-JID). Immutable and reference counted.
 */
typedef struct _WaJid WaJid;

#define WA_TYPE_JID (wa_jid_get_type ())

GType        wa_jid_get_type          (void) G_GNUC_CONST;
WaJid       *wa_jid_new               (const char  *user,
                                       const char  *server);
WaJid       *wa_jid_new_device        (const char  *user,
                                       const char  *server,
                                       guint16      device);
WaJid       *wa_jid_parse             (const char  *text,
                                       GError     **error);
WaJid       *wa_jid_ref               (WaJid       *self);
void         wa_jid_unref             (WaJid       *self);
const char  *wa_jid_get_user          (const WaJid *self);
const char  *wa_jid_get_server        (const WaJid *self);
guint16      wa_jid_get_device        (const WaJid *self);
gboolean     wa_jid_is_server         (const WaJid *self);
gboolean     wa_jid_equal             (const WaJid *a,
                                       const WaJid *b);
char        *wa_jid_to_string         (const WaJid *self);
WaJid       *wa_jid_to_non_device     (const WaJid *self);
char        *wa_jid_signal_address    (const WaJid *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WaJid, wa_jid_unref)

G_END_DECLS
