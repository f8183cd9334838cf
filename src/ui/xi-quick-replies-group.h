/* xi-quick-replies-group.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define XI_TYPE_QUICK_REPLIES_GROUP (xi_quick_replies_group_get_type ())

G_DECLARE_FINAL_TYPE (XiQuickRepliesGroup, xi_quick_replies_group, XI, QUICK_REPLIES_GROUP, AdwPreferencesGroup)

#define XI_QUICK_REPLIES_MAX 9

void xi_quick_replies_group_set_settings (XiQuickRepliesGroup *self,
                                          GSettings           *settings);

G_END_DECLS
