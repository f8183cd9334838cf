/* wa-signal-address.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <signal/signal_protocol_types.h>

#include "wa-jid.h"

G_BEGIN_DECLS

/**
 * WaSignalAddress:
 * @address: what libsignal takes; its name points into @name
 * @name: the owned name, "<user>" or "<user>_<domain>"
 *
 * The Signal protocol address of one device (protocol notes §0, §11.2),
 * made on the stack with wa_signal_address_init() and released with
 * wa_signal_address_clear() (or g_auto()).
 */
typedef struct
{
  signal_protocol_address  address;
  char                    *name;
} WaSignalAddress;

void     wa_signal_address_init         (WaSignalAddress               *self,
                                         const WaJid                   *device);
void     wa_signal_address_clear        (WaSignalAddress               *self);
char    *wa_signal_address_to_string    (const signal_protocol_address *address);
WaJid   *wa_signal_address_to_jid       (const signal_protocol_address *address,
                                         GError                       **error);
WaJid   *wa_signal_address_parse        (const char                    *text,
                                         GError                       **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (WaSignalAddress, wa_signal_address_clear)

G_END_DECLS
