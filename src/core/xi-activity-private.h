/* xi-activity-private.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "xi-activity.h"

G_BEGIN_DECLS

XiActivity *_xi_activity_new (const char *kind,
                              const char *summary,
                              const char *job_id,
                              const char *created_at);

G_END_DECLS
