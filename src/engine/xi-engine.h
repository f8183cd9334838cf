/* xi-engine.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "xi-campaign-runner.h"
#include "xi-receiver.h"
#include "xi-store.h"
#include "xi-transport.h"

G_BEGIN_DECLS

#define XI_TYPE_ENGINE (xi_engine_get_type ())

/* The queue and its workers on the network thread (DESIGN.md, "Threads").
 * Signals, emitted on that thread: "job-changed" (XiJob), "progress"
 * (XiJobProgress), "idle" (gboolean: nothing could run now) and
 * "incoming" (XiIncoming, a customer's message, stored). */
G_DECLARE_FINAL_TYPE (XiEngine, xi_engine, XI, ENGINE, GObject)

XiEngine  *xi_engine_new            (XiStore              *store,
                                     XiTransport          *transport);
XiTransport *xi_engine_get_transport (XiEngine            *self);
XiReceiver *xi_engine_get_receiver  (XiEngine             *self);
void       xi_engine_set_transport  (XiEngine             *self,
                                     const char           *name,
                                     XiTransport          *transport);
XiTransport *xi_engine_get_transport_by_name (XiEngine    *self,
                                     const char           *name);
void       xi_engine_wake           (XiEngine             *self);
void       xi_engine_command        (XiEngine             *self,
                                     const char           *job_id,
                                     XiJobCommand          command,
                                     GTask                *task);
void       xi_engine_shutdown       (XiEngine             *self,
                                     GSourceFunc           done,
                                     gpointer              done_data);

G_END_DECLS
