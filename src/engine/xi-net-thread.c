/* xi-net-thread.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-net-thread"

#include "config.h"

#include "xi-net-thread.h"

/*
 * The network thread: one GMainContext that owns the WhatsApp socket, its
 * timers and the workers that use it (DESIGN.md, "Threads"). Other threads
 * reach it only through xi_net_thread_invoke(), so every object living
 * there is touched by one thread.
 */
struct _XiNetThread
{
  GObject       parent_instance;

  GMainContext *context;
  GMainLoop    *loop;
  GThread      *thread;
};

G_DEFINE_FINAL_TYPE (XiNetThread, xi_net_thread, G_TYPE_OBJECT)

static gpointer
net_thread_func (gpointer data)
{
  XiNetThread *self = data;

  g_main_context_push_thread_default (self->context);
  g_main_loop_run (self->loop);

  /* Let sources the shutdown function scheduled (socket close frames,
   * store callbacks) finish before the context goes away. */
  while (g_main_context_pending (self->context))
    g_main_context_iteration (self->context, FALSE);

  g_main_context_pop_thread_default (self->context);
  return NULL;
}

static void
xi_net_thread_dispose (GObject *object)
{
  XiNetThread *self = (XiNetThread *)object;

  xi_net_thread_stop (self, NULL, NULL, NULL);

  G_OBJECT_CLASS (xi_net_thread_parent_class)->dispose (object);
}

static void
xi_net_thread_finalize (GObject *object)
{
  XiNetThread *self = (XiNetThread *)object;

  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (xi_net_thread_parent_class)->finalize (object);
}

static void
xi_net_thread_class_init (XiNetThreadClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = xi_net_thread_dispose;
  object_class->finalize = xi_net_thread_finalize;
}

static void
xi_net_thread_init (XiNetThread *self)
{
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
}

/**
 * xi_net_thread_new:
 *
 * Starts the network thread, idle until work is invoked on it.
 *
 * Returns: (transfer full): a new #XiNetThread
 */
XiNetThread *
xi_net_thread_new (void)
{
  XiNetThread *self = g_object_new (XI_TYPE_NET_THREAD, NULL);

  self->thread = g_thread_new ("xi-net", net_thread_func, self);
  return self;
}

GMainContext *
xi_net_thread_get_context (XiNetThread *self)
{
  g_return_val_if_fail (XI_IS_NET_THREAD (self), NULL);
  return self->context;
}

gboolean
xi_net_thread_is_current (XiNetThread *self)
{
  g_return_val_if_fail (XI_IS_NET_THREAD (self), FALSE);
  return g_main_context_is_owner (self->context);
}

gboolean
xi_net_thread_is_running (XiNetThread *self)
{
  g_return_val_if_fail (XI_IS_NET_THREAD (self), FALSE);
  return self->thread != NULL;
}

/**
 * xi_net_thread_invoke:
 * @self: a #XiNetThread
 * @func: runs once on the network thread
 * @data: closure for @func; must be safe to hand to that thread
 * @destroy: (nullable): frees @data on the network thread
 */
void
xi_net_thread_invoke (XiNetThread    *self,
                      GSourceFunc     func,
                      gpointer        data,
                      GDestroyNotify  destroy)
{
  g_return_if_fail (XI_IS_NET_THREAD (self));

  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, func, data, destroy);
}

typedef struct
{
  XiNetThread    *self;
  GSourceFunc     shutdown;
  gpointer        data;
  GDestroyNotify  destroy;
} StopData;

static gboolean
stop_cb (gpointer user_data)
{
  StopData *stop = user_data;

  if (stop->shutdown != NULL)
    stop->shutdown (stop->data);
  if (stop->destroy != NULL)
    stop->destroy (stop->data);
  g_main_loop_quit (stop->self->loop);

  return G_SOURCE_REMOVE;
}

/**
 * xi_net_thread_stop:
 * @self: a #XiNetThread
 * @shutdown: (nullable): runs on the network thread first, to close
 *   sockets and drop the objects living there
 * @data: closure for @shutdown
 * @destroy: (nullable): frees @data
 *
 * Runs @shutdown, quits the loop and joins the thread. Safe to call twice.
 */
void
xi_net_thread_stop (XiNetThread    *self,
                    GSourceFunc     shutdown,
                    gpointer        data,
                    GDestroyNotify  destroy)
{
  StopData *stop;

  g_return_if_fail (XI_IS_NET_THREAD (self));

  if (self->thread == NULL)
    return;

  /* Joining from the thread itself would deadlock. */
  g_assert (g_thread_self () != self->thread);

  stop = g_new0 (StopData, 1);
  stop->self = self;
  stop->shutdown = shutdown;
  stop->data = data;
  stop->destroy = destroy;
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, stop_cb, stop, g_free);
  g_thread_join (g_steal_pointer (&self->thread));
}
