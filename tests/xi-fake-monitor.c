/* xi-fake-monitor.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "xi-fake-monitor.h"

struct _XiFakeMonitor
{
  GObject  parent_instance;
  gboolean available;
};

static void xi_fake_monitor_initable_init (GInitableIface *iface);
static void xi_fake_monitor_monitor_init (GNetworkMonitorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (XiFakeMonitor, xi_fake_monitor, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, xi_fake_monitor_initable_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_NETWORK_MONITOR, xi_fake_monitor_monitor_init))

enum {
  PROP_0,
  PROP_NETWORK_AVAILABLE,
  PROP_NETWORK_METERED,
  PROP_CONNECTIVITY,
};

/* GNetworkMonitor requires GInitable; there is nothing to set up. */
static gboolean
xi_fake_monitor_init_sync (GInitable     *initable,
                           GCancellable  *cancellable,
                           GError       **error)
{
  return TRUE;
}

static void
xi_fake_monitor_initable_init (GInitableIface *iface)
{
  iface->init = xi_fake_monitor_init_sync;
}

/* Nobody asks it whether a host is reachable: the defaults stay. */
static void
xi_fake_monitor_monitor_init (GNetworkMonitorInterface *iface)
{
}

static void
xi_fake_monitor_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  gboolean available = XI_FAKE_MONITOR (object)->available;

  if (prop_id == PROP_NETWORK_AVAILABLE)
    g_value_set_boolean (value, available);
  else if (prop_id == PROP_NETWORK_METERED)
    g_value_set_boolean (value, FALSE);
  else if (prop_id == PROP_CONNECTIVITY)
    g_value_set_enum (value, available ? G_NETWORK_CONNECTIVITY_FULL : G_NETWORK_CONNECTIVITY_LOCAL);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
xi_fake_monitor_class_init (XiFakeMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = xi_fake_monitor_get_property;
  g_object_class_override_property (object_class, PROP_NETWORK_AVAILABLE, "network-available");
  g_object_class_override_property (object_class, PROP_NETWORK_METERED, "network-metered");
  g_object_class_override_property (object_class, PROP_CONNECTIVITY, "connectivity");
}

static void
xi_fake_monitor_init (XiFakeMonitor *self)
{
  self->available = TRUE;
}

GNetworkMonitor *
xi_fake_monitor_new (void)
{
  return g_object_new (XI_TYPE_FAKE_MONITOR, NULL);
}

void
xi_fake_monitor_set_available (XiFakeMonitor *self,
                               gboolean       available)
{
  self->available = available;
  g_object_notify (G_OBJECT (self), "network-available");
  g_signal_emit_by_name (self, "network-changed", available);
}
