/* xi-job.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "xi-core-types.h"

G_BEGIN_DECLS

#define XI_TYPE_JOB (xi_job_get_type ())

G_DECLARE_FINAL_TYPE (XiJob, xi_job, XI, JOB, GObject)

const char    *xi_job_get_id             (XiJob       *self);
const char    *xi_job_get_name           (XiJob       *self);
const char    *xi_job_get_template_id    (XiJob       *self);
const char    *xi_job_get_group_id       (XiJob       *self);
XiJobState     xi_job_get_state          (XiJob       *self);
gboolean       xi_job_is_finished        (XiJob       *self);
gboolean       xi_job_is_started         (XiJob       *self);
guint          xi_job_get_delay_min_ms   (XiJob       *self);
guint          xi_job_get_delay_max_ms   (XiJob       *self);
guint          xi_job_get_batch_size     (XiJob       *self);
guint          xi_job_get_batch_rest_ms  (XiJob       *self);
guint          xi_job_get_daily_cap      (XiJob       *self);
XiVariantMode  xi_job_get_variant_mode   (XiJob       *self);
int            xi_job_get_priority       (XiJob       *self);
gint64         xi_job_get_scheduled_at   (XiJob       *self);
guint          xi_job_get_total          (XiJob       *self);
guint          xi_job_get_sent           (XiJob       *self);
guint          xi_job_get_failed         (XiJob       *self);
guint          xi_job_get_skipped        (XiJob       *self);
guint          xi_job_get_delivered      (XiJob       *self);
guint          xi_job_get_read           (XiJob       *self);
guint          xi_job_get_remaining      (XiJob       *self);
const char    *xi_job_get_created_at     (XiJob       *self);
const char    *xi_job_get_started_at     (XiJob       *self);
const char    *xi_job_get_finished_at    (XiJob       *self);
const char    *xi_job_get_last_error     (XiJob       *self);
const char    *xi_job_get_transport      (XiJob       *self);
gboolean       xi_job_is_rehearsal       (XiJob       *self);
const char    *xi_job_describe_transport (XiJob       *self);
XiAsset       *xi_job_dup_asset          (XiJob       *self,
                                          const char  *assets_dir);
const char    *xi_job_get_asset_name     (XiJob       *self);
const char    *xi_job_get_asset_sha256   (XiJob       *self);
void           xi_job_update_from        (XiJob       *self,
                                          XiJob       *newer);
XiJob         *xi_job_copy               (XiJob       *self);

const char    *xi_job_state_to_string    (XiJobState  state);
gboolean       xi_job_state_from_string  (const char  *text,
                                          XiJobState  *state);
const char    *xi_job_state_describe     (XiJobState  state);

G_END_DECLS
