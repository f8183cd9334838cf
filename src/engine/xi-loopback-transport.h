/* xi-loopback-transport.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "xi-transport.h"

G_BEGIN_DECLS

/**
 * XiLoopbackOptions:
 * @failure_rate: the fraction of sends that fail with a transient error
 * @drop_after: drop the "connection" after this many accepted messages
 *   (0: never); it comes back after @reconnect_ms
 * @reconnect_ms: how long a dropped connection stays down
 * @receipts: follow every ack with a delivered and then a read receipt
 * @reply_every: every Nth recipient replies (0: nobody)
 * @reply_text: (nullable): what they reply; "Terima kasih" when %NULL
 * @send_delay_ms: how long a message is on the wire before the "server"
 *   has it (and journals it)
 * @ack_delay_ms: how long the server then takes to ack
 * @seed: the random seed for failures (0: random)
 *
 * How the dry run misbehaves, so that every path of the engine can be
 * rehearsed without a phone. All zero is a perfect network.
 */
typedef struct
{
  double    failure_rate;
  guint     drop_after;
  guint     reconnect_ms;
  gboolean  receipts;
  guint     reply_every;
  char     *reply_text;
  guint     send_delay_ms;
  guint     ack_delay_ms;
  guint32   seed;
} XiLoopbackOptions;

#define XI_TYPE_LOOPBACK_TRANSPORT (xi_loopback_transport_get_type ())

G_DECLARE_FINAL_TYPE (XiLoopbackTransport, xi_loopback_transport, XI, LOOPBACK_TRANSPORT, GObject)

XiLoopbackTransport *xi_loopback_transport_new            (const char               *journal_path,
                                                           const XiLoopbackOptions  *options,
                                                           GError                  **error);
guint                xi_loopback_transport_get_accepted   (XiLoopbackTransport      *self);
gboolean             xi_loopback_transport_get_receiving  (XiLoopbackTransport      *self);
XiTransport         *xi_loopback_transport_factory        (gpointer                  journal_path,
                                                           GError                  **error);
gboolean             xi_loopback_options_from_env         (XiLoopbackOptions        *options,
                                                           GError                  **error);

G_END_DECLS
