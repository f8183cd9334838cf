/* xi-store-reports.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-store-reports"

#include "config.h"

#include "xi-store-private.h"

/*
 * A campaign's messages over time, for History's chart. SQLite turns the
 * stored ISO times into seconds and counts per interval itself, so a
 * campaign of 100,000 recipients costs three grouped scans of its own rows
 * (the (job_id, position) key), not 300,000 rows handed over.
 */

/* Enough intervals for a curve, few enough to read each one. */
#define MAX_INTERVALS 48

/* The statements are cached by the address of their text, so each
 * series has a literal of its own. */
#define SERIES_SQL(column) \
  "SELECT (CAST (strftime ('%s', " column ") AS INTEGER) - ?3) / ?4 AS slot, count (*)" \
  " FROM job_recipients WHERE job_id = ?1 AND master_user_id = ?2" \
  " AND " column " IS NOT NULL AND deleted = 0 GROUP BY slot"

static const char sent_sql[] = SERIES_SQL ("sent_at");
static const char delivered_sql[] = SERIES_SQL ("delivered_at");
static const char read_sql[] = SERIES_SQL ("read_at");

static gboolean
count_series (XiStore        *self,
              const char     *job_id,
              XiJobTimeline  *timeline,
              const char     *sql,
              guint          *counts,
              GError        **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = _xi_store_prepare (self, sql, error);
  if (stmt == NULL)
    return FALSE;
  _xi_store_bind_text (stmt, 1, job_id);
  _xi_store_bind_text (stmt, 2, self->master_user_id);
  sqlite3_bind_int64 (stmt, 3, timeline->start);
  sqlite3_bind_int64 (stmt, 4, timeline->interval);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 slot = sqlite3_column_int64 (stmt, 0);

      /* A clock that went back puts an event before the first send. */
      slot = CLAMP (slot, 0, (gint64)timeline->n_intervals - 1);
      counts[slot] += (guint)sqlite3_column_int64 (stmt, 1);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _xi_store_set_error (self, rc, error);
      return FALSE;
    }
  return TRUE;
}

static void
job_timeline_func (XiStore  *self,
                   GTask    *task,
                   gpointer  data)
{
  const char *job_id = data;
  g_autoptr(XiJobTimeline) timeline = NULL;
  GError *error = NULL;
  gint64 first = 0, last = 0;
  guint interval, replies = 0;
  sqlite3_stmt *stmt;
  int rc;

  stmt = _xi_store_prepare (self,
                            "SELECT min (CAST (strftime ('%s', sent_at) AS INTEGER)),"
                            " max (max (CAST (strftime ('%s', sent_at) AS INTEGER)),"
                            "  coalesce (max (CAST (strftime ('%s', delivered_at) AS INTEGER)), 0),"
                            "  coalesce (max (CAST (strftime ('%s', read_at) AS INTEGER)), 0)),"
                            " (SELECT count (*) FROM incoming_messages i WHERE i.master_user_id = ?2"
                            "  AND i.job_id = ?1 AND i.deleted = 0)"
                            " FROM job_recipients WHERE job_id = ?1 AND master_user_id = ?2"
                            " AND sent_at IS NOT NULL AND deleted = 0",
                            &error);
  if (stmt == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  _xi_store_bind_text (stmt, 1, job_id);
  _xi_store_bind_text (stmt, 2, self->master_user_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      first = sqlite3_column_int64 (stmt, 0);
      last = sqlite3_column_int64 (stmt, 1);
      replies = (guint)sqlite3_column_int64 (stmt, 2);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    {
      _xi_store_set_error (self, rc, &error);
      g_task_return_error (task, error);
      return;
    }

  /* Nothing sent yet: an empty timeline, still with the replies. */
  interval = xi_job_timeline_choose_interval (MAX (last - first, 0), MAX_INTERVALS);
  first -= first % interval;
  timeline = xi_job_timeline_new (first, interval,
                                  first > 0 ? (guint)((MAX (last, first) - first) / interval) + 1 : 0);
  timeline->replies = replies;
  if (timeline->n_intervals > 0 &&
      (!count_series (self, job_id, timeline, sent_sql, timeline->sent, &error) ||
       !count_series (self, job_id, timeline, delivered_sql, timeline->delivered, &error) ||
       !count_series (self, job_id, timeline, read_sql, timeline->read, &error)))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&timeline), (GDestroyNotify)xi_job_timeline_free);
}

/**
 * xi_store_job_timeline_async:
 * @self: a #XiStore
 * @job_id: the campaign
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Counts a campaign's messages sent, delivered and read per interval, from
 * its first message to its last receipt, and the replies it got since.
 */
void
xi_store_job_timeline_async (XiStore             *self,
                             const char          *job_id,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (job_id != NULL);

  _xi_store_push_read (self, job_timeline_func, g_strdup (job_id), g_free, xi_store_job_timeline_async,
                       cancellable, callback, user_data);
}

/**
 * xi_store_job_timeline_finish:
 *
 * Returns: (transfer full): the timeline
 */
XiJobTimeline *
xi_store_job_timeline_finish (XiStore       *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
