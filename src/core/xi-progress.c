/* xi-progress.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "xi-progress.h"

/*
 * Carries progress from a worker thread to the thread that asked for the
 * work. A worker may report after every row; the receiving main loop sees
 * at most one pending callback at a time, carrying the latest value, so a
 * 100,000-row import never floods the UI (DESIGN.md: coalesced events).
 */
struct _XiProgressRelay
{
  GMainContext   *context;
  XiProgressFunc  func;
  gpointer        user_data;
  GDestroyNotify  destroy;
  GMutex          lock;
  double          latest;        /* under @lock */
  gint            pending;       /* atomic: a dispatch is queued */
};

static void
relay_clear (gpointer data)
{
  XiProgressRelay *self = data;

  if (self->destroy != NULL)
    self->destroy (self->user_data);
  g_main_context_unref (self->context);
  g_mutex_clear (&self->lock);
}

/**
 * xi_progress_relay_new:
 * @func: (nullable): called on the current thread-default main context
 * @user_data: closure for @func
 * @destroy: (nullable): frees @user_data when the relay dies
 *
 * Returns: (transfer full): a relay bound to the caller's main context
 */
XiProgressRelay *
xi_progress_relay_new (XiProgressFunc func,
                       gpointer       user_data,
                       GDestroyNotify destroy)
{
  XiProgressRelay *self = g_atomic_rc_box_new0 (XiProgressRelay);

  self->context = g_main_context_ref_thread_default ();
  self->func = func;
  self->user_data = user_data;
  self->destroy = destroy;
  g_mutex_init (&self->lock);

  return self;
}

XiProgressRelay *
xi_progress_relay_ref (XiProgressRelay *self)
{
  return g_atomic_rc_box_acquire (self);
}

void
xi_progress_relay_unref (XiProgressRelay *self)
{
  g_atomic_rc_box_release_full (self, relay_clear);
}

static gboolean
dispatch_cb (gpointer data)
{
  XiProgressRelay *self = data;
  double fraction;

  g_atomic_int_set (&self->pending, FALSE);

  g_mutex_lock (&self->lock);
  fraction = self->latest;
  g_mutex_unlock (&self->lock);

  self->func (fraction, self->user_data);

  return G_SOURCE_REMOVE;
}

/**
 * xi_progress_relay_report:
 * @self: a relay
 * @fraction: 0.0 to 1.0
 *
 * Records the latest progress; callable from any thread, as often as liked.
 */
void
xi_progress_relay_report (XiProgressRelay *self,
                          double           fraction)
{
  if (self == NULL || self->func == NULL)
    return;

  g_mutex_lock (&self->lock);
  self->latest = CLAMP (fraction, 0.0, 1.0);
  g_mutex_unlock (&self->lock);

  /* Default priority, like the task that follows the last report: the
   * receiver sees 100 % before it sees the result. */
  if (g_atomic_int_compare_and_exchange (&self->pending, FALSE, TRUE))
    g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT,
                                dispatch_cb, xi_progress_relay_ref (self),
                                (GDestroyNotify)xi_progress_relay_unref);
}
