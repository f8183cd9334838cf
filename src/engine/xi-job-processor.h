/* xi-job-processor.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "xi-campaign-runner.h"
#include "xi-store.h"
#include "xi-transport.h"

G_BEGIN_DECLS

#define XI_TYPE_JOB_PROCESSOR (xi_job_processor_get_type ())

/* Sends one campaign, on the network thread. Signals: "job-changed"
 * (XiJob, after each group commit), "progress" (XiJobProgress, after
 * every step) and "stopped" (XiJob or NULL when the store failed) once,
 * when the campaign finished or xi_job_processor_stop() took effect. */
G_DECLARE_FINAL_TYPE (XiJobProcessor, xi_job_processor, XI, JOB_PROCESSOR, GObject)

/* Tries per message before it is failed, the first one included. */
#define XI_JOB_PROCESSOR_MAX_ATTEMPTS 3

/* Messages on their way at once when a campaign has no delay between
 * them (bench-whatsapp, kept sessions). */
#define XI_JOB_PROCESSOR_MAX_IN_FLIGHT 8

XiJobProcessor *xi_job_processor_new        (XiStore         *store,
                                             XiTransport     *transport,
                                             XiJob           *job);
const char     *xi_job_processor_get_job_id (XiJobProcessor  *self);
void            xi_job_processor_run        (XiJobProcessor  *self);
void            xi_job_processor_stop       (XiJobProcessor  *self);
gboolean        xi_job_processor_is_running (XiJobProcessor  *self);
gboolean        xi_job_processor_stopped_for_disk_full (XiJobProcessor *self);

G_END_DECLS
