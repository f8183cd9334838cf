/* xi-group.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "xi-core-types.h"

G_BEGIN_DECLS

#define XI_TYPE_GROUP (xi_group_get_type ())

G_DECLARE_FINAL_TYPE (XiGroup, xi_group, XI, GROUP, GObject)

XiGroup     *xi_group_new              (const char *name);
XiGroup     *xi_group_copy             (XiGroup    *self);
void         xi_group_update_from      (XiGroup    *self,
                                        XiGroup    *saved);
const char  *xi_group_get_id           (XiGroup    *self);
const char  *xi_group_get_name         (XiGroup    *self);
void         xi_group_set_name         (XiGroup    *self,
                                        const char *name);
const char  *xi_group_get_description  (XiGroup    *self);
void         xi_group_set_description  (XiGroup    *self,
                                        const char *description);
const char  *xi_group_get_colour       (XiGroup    *self);
void         xi_group_set_colour       (XiGroup    *self,
                                        const char *colour);
guint        xi_group_get_member_count (XiGroup    *self);
void         xi_group_set_member_count (XiGroup    *self,
                                        guint       member_count);
gint64       xi_group_get_version      (XiGroup    *self);

G_END_DECLS
