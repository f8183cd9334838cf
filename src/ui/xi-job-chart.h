/* xi-job-chart.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "xi-job-timeline.h"

G_BEGIN_DECLS

#define XI_TYPE_JOB_CHART (xi_job_chart_get_type ())

G_DECLARE_FINAL_TYPE (XiJobChart, xi_job_chart, XI, JOB_CHART, GtkWidget)

GtkWidget   *xi_job_chart_new             (void);
void         xi_job_chart_set_timeline    (XiJobChart          *self,
                                           const XiJobTimeline *timeline);
int          xi_job_chart_get_selected    (XiJobChart          *self);
void         xi_job_chart_select          (XiJobChart          *self,
                                           int                  interval);
const char  *xi_job_chart_get_description (XiJobChart          *self);

G_END_DECLS
