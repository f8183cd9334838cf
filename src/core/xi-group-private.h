/* xi-group-private.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "xi-group.h"

G_BEGIN_DECLS

XiGroup *_xi_group_new_from_store (const char *id,
                                   const char *name,
                                   const char *description,
                                   const char *colour,
                                   guint       member_count,
                                   gint64      version);

G_END_DECLS
