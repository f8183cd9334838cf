/* xi-activity.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define XI_TYPE_ACTIVITY (xi_activity_get_type ())

/* One entry of the activity log: a significant action, with a summary
 * written for the user (never message text or a full number). */
G_DECLARE_FINAL_TYPE (XiActivity, xi_activity, XI, ACTIVITY, GObject)

const char *xi_activity_get_kind       (XiActivity *self);
const char *xi_activity_get_summary    (XiActivity *self);
const char *xi_activity_get_job_id     (XiActivity *self);
const char *xi_activity_get_created_at (XiActivity *self);

G_END_DECLS
