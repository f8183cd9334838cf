/* xi-job-timeline.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-job-timeline"

#include "config.h"

#include <string.h>

#include "xi-job-timeline.h"

G_DEFINE_BOXED_TYPE (XiJobTimeline, xi_job_timeline, xi_job_timeline_copy, xi_job_timeline_free)

/**
 * xi_job_timeline_new:
 *
 * Returns: (transfer full): a timeline of @n_intervals empty intervals
 */
XiJobTimeline *
xi_job_timeline_new (gint64 start,
                     guint  interval,
                     guint  n_intervals)
{
  XiJobTimeline *self = g_new0 (XiJobTimeline, 1);

  g_return_val_if_fail (interval > 0, NULL);

  self->start = start;
  self->interval = interval;
  self->n_intervals = n_intervals;
  self->sent = g_new0 (guint, MAX (n_intervals, 1));
  self->delivered = g_new0 (guint, MAX (n_intervals, 1));
  self->read = g_new0 (guint, MAX (n_intervals, 1));
  return self;
}

XiJobTimeline *
xi_job_timeline_copy (const XiJobTimeline *self)
{
  XiJobTimeline *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = xi_job_timeline_new (self->start, self->interval, self->n_intervals);
  copy->replies = self->replies;
  memcpy (copy->sent, self->sent, self->n_intervals * sizeof (guint));
  memcpy (copy->delivered, self->delivered, self->n_intervals * sizeof (guint));
  memcpy (copy->read, self->read, self->n_intervals * sizeof (guint));
  return copy;
}

void
xi_job_timeline_free (XiJobTimeline *self)
{
  if (self == NULL)
    return;
  g_free (self->sent);
  g_free (self->delivered);
  g_free (self->read);
  g_free (self);
}

/**
 * xi_job_timeline_choose_interval:
 * @span_seconds: from the first message to the last event
 * @max_intervals: the most intervals a chart can show readably
 *
 * The shortest interval people read at a glance (a minute, 5, 15 or 30
 * minutes, an hour, 3, 6 or 12 hours, a day, a week) that fits @span_seconds
 * into @max_intervals.
 *
 * Returns: the interval, in seconds
 */
guint
xi_job_timeline_choose_interval (gint64 span_seconds,
                                 guint  max_intervals)
{
  static const guint steps[] = {
    60, 5 * 60, 15 * 60, 30 * 60, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 7 * 86400,
  };

  g_return_val_if_fail (max_intervals > 0, steps[0]);

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (span_seconds / steps[i] < max_intervals)
      return steps[i];
  return (guint)MIN ((span_seconds / max_intervals) + 1, G_MAXUINT);
}
