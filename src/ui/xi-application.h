/* xi-application.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "xi-context.h"

G_BEGIN_DECLS

#define XI_TYPE_APPLICATION (xi_application_get_type ())

G_DECLARE_FINAL_TYPE (XiApplication, xi_application, XI, APPLICATION, AdwApplication)

XiApplication *xi_application_new         (void);
XiContext     *xi_application_get_context (XiApplication *self);

G_END_DECLS
