/* xi-template.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "xi-core-types.h"

G_BEGIN_DECLS

#define XI_TYPE_TEMPLATE (xi_template_get_type ())

G_DECLARE_FINAL_TYPE (XiTemplate, xi_template, XI, TEMPLATE, GObject)

XiTemplate          *xi_template_new           (const char          *name);
XiTemplate          *xi_template_copy          (XiTemplate          *self);
void                 xi_template_update_from   (XiTemplate          *self,
                                                XiTemplate          *saved);
const char          *xi_template_get_id        (XiTemplate          *self);
const char          *xi_template_get_name      (XiTemplate          *self);
void                 xi_template_set_name      (XiTemplate          *self,
                                                const char          *name);
const char * const  *xi_template_get_variants  (XiTemplate          *self);
void                 xi_template_set_variants  (XiTemplate          *self,
                                                const char * const  *variants);
guint                xi_template_get_n_variants (XiTemplate         *self);
const char          *xi_template_get_asset_id  (XiTemplate          *self);
void                 xi_template_set_asset_id  (XiTemplate          *self,
                                                const char          *asset_id);
gint64               xi_template_get_version   (XiTemplate          *self);
const char          *xi_template_get_updated_at (XiTemplate         *self);

G_END_DECLS
