/* xi-job-timeline.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * XiJobTimeline:
 * @start: the start of the first interval, Unix seconds
 * @interval: the length of each interval, seconds
 * @n_intervals: how many intervals there are
 * @sent: (array length=n_intervals): messages the server took in each
 * @delivered: (array length=n_intervals): messages delivered in each
 * @read: (array length=n_intervals): messages read in each
 * @replies: the customers' messages received since the campaign began
 *
 * A campaign's messages over time: how many were sent, delivered and read
 * in each interval, for a chart.
 */
typedef struct
{
  gint64  start;
  guint   interval;
  guint   n_intervals;
  guint  *sent;
  guint  *delivered;
  guint  *read;
  guint   replies;
} XiJobTimeline;

#define XI_TYPE_JOB_TIMELINE (xi_job_timeline_get_type ())

GType          xi_job_timeline_get_type (void) G_GNUC_CONST;
XiJobTimeline *xi_job_timeline_new      (gint64               start,
                                         guint                interval,
                                         guint                n_intervals);
XiJobTimeline *xi_job_timeline_copy     (const XiJobTimeline *self);
void           xi_job_timeline_free     (XiJobTimeline       *self);
guint          xi_job_timeline_choose_interval (gint64 span_seconds,
                                                guint  max_intervals);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (XiJobTimeline, xi_job_timeline_free)

G_END_DECLS
