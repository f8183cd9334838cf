/* wa-messenger-private.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "wa-messenger.h"

G_BEGIN_DECLS

typedef gint64 (*WaMessengerClock) (gpointer user_data);

void _wa_messenger_set_clock (WaMessenger      *self,
                              WaMessengerClock  clock,
                              gpointer          user_data);

/* How often messages from a LID with no known number are looked at
 * again, for tests. */
void _wa_messenger_set_unresolved_check (WaMessenger *self,
                                         guint        interval_ms);
/* How long such a message waits for its number at most, for tests. */
void _wa_messenger_set_unresolved_wait (WaMessenger *self,
                                        guint        wait_ms);
/* How many such messages are held, and a smaller bound, for tests. */
void _wa_messenger_set_unresolved_max (WaMessenger *self,
                                       guint        max);

/* How many device lists are kept, and a smaller bound, for tests. */
void  _wa_messenger_set_device_lists_max (WaMessenger *self,
                                          guint        max);
guint _wa_messenger_count_device_lists   (WaMessenger *self);

GBytes *_wa_messenger_pack_sent_copy (const char *chat,
                                      GBytes     *content);

gboolean _wa_messenger_read (GBytes           *plaintext,
                             char            **text,
                             WaIncomingMedia **media,
                             gboolean         *sent_copy,
                             gboolean         *protocol,
                             GError          **error);

G_END_DECLS
