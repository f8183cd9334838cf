/* xi-history-page.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "xi-page.h"

G_BEGIN_DECLS

#define XI_TYPE_HISTORY_PAGE (xi_history_page_get_type ())

G_DECLARE_FINAL_TYPE (XiHistoryPage, xi_history_page, XI, HISTORY_PAGE, XiPage)

G_END_DECLS
