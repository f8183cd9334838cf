/* xi-dbus-service.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "xi-campaign-runner.h"
#include "xi-connection.h"
#include "xi-store.h"

G_BEGIN_DECLS

#define XI_TYPE_DBUS_SERVICE (xi_dbus_service_get_type ())

G_DECLARE_FINAL_TYPE (XiDbusService, xi_dbus_service, XI, DBUS_SERVICE, GObject)

XiDbusService *xi_dbus_service_new            (XiStore           *store);
gboolean       xi_dbus_service_export         (XiDbusService     *self,
                                               GDBusConnection   *connection,
                                               const char        *object_path,
                                               GError           **error);
void           xi_dbus_service_unexport       (XiDbusService     *self);
void           xi_dbus_service_set_runner     (XiDbusService     *self,
                                               XiCampaignRunner  *runner);
void           xi_dbus_service_set_connection (XiDbusService     *self,
                                               XiConnection      *connection);

G_END_DECLS
