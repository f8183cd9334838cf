/* xi-suppression.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define XI_TYPE_SUPPRESSION (xi_suppression_get_type ())

/* A number on the suppression list: no campaign messages it. */
G_DECLARE_FINAL_TYPE (XiSuppression, xi_suppression, XI, SUPPRESSION, GObject)

const char *xi_suppression_get_phone        (XiSuppression *self);
const char *xi_suppression_get_contact_id   (XiSuppression *self);
const char *xi_suppression_get_contact_name (XiSuppression *self);
const char *xi_suppression_get_source       (XiSuppression *self);
const char *xi_suppression_get_keyword      (XiSuppression *self);
const char *xi_suppression_get_created_at   (XiSuppression *self);

G_END_DECLS
