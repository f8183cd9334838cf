/* xi-template-private.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "xi-template.h"

G_BEGIN_DECLS

XiTemplate *_xi_template_new_from_store (const char          *id,
                                         const char          *name,
                                         const char * const  *variants,
                                         const char          *asset_id,
                                         gint64               version,
                                         const char          *updated_at);

G_END_DECLS
