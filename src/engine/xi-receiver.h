/* xi-receiver.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "xi-store.h"
#include "xi-transport.h"

G_BEGIN_DECLS

/* The local time now, for business hours; tests replace it. */
typedef GDateTime *(*XiReceiverClock) (gpointer user_data);

/* The campaigns' default shortest pause, used between two automatic
 * answers until the settings say otherwise. */
#define XI_RECEIVER_DEFAULT_MIN_DELAY_MS 20000

/* The most automatic answers a day, until the settings say otherwise (the
 * schema's auto-reply-daily-cap default): a receiver nobody paced must
 * not answer without end. */
#define XI_RECEIVER_DEFAULT_DAILY_CAP 200

/* The largest file a customer sends that is fetched at once, until the
 * settings say otherwise (the schema's media-auto-download default). */
#define XI_RECEIVER_DEFAULT_AUTO_DOWNLOAD (5 * 1024 * 1024)

#define XI_TYPE_RECEIVER (xi_receiver_get_type ())

/* The receiver (SPEC.md, worker 6) on the network thread. Signals, emitted
 * there: "incoming" (XiIncoming, once per new message, after it was
 * stored) and "auto-replied" (XiIncoming answered, the rule's name), when
 * the server acknowledged an automatic answer. */
G_DECLARE_FINAL_TYPE (XiReceiver, xi_receiver, XI, RECEIVER, GObject)

XiReceiver *xi_receiver_new                  (XiStore             *store);
void        xi_receiver_add_transport        (XiReceiver          *self,
                                              XiTransport         *transport);
void        xi_receiver_remove_transport     (XiReceiver          *self,
                                              XiTransport         *transport);
void        xi_receiver_set_opt_out_keywords (XiReceiver          *self,
                                              const char * const  *keywords);
void        xi_receiver_set_auto_download_limit (XiReceiver       *self,
                                              guint64              limit);
void        xi_receiver_set_pacing           (XiReceiver          *self,
                                              guint                min_delay_ms,
                                              guint                daily_cap);
void        xi_receiver_set_clock            (XiReceiver          *self,
                                              XiReceiverClock      clock,
                                              gpointer             clock_data);
gboolean    xi_receiver_is_idle              (XiReceiver          *self);
void        xi_receiver_stop                 (XiReceiver          *self,
                                              GSourceFunc          done,
                                              gpointer             done_data);

G_END_DECLS
