/* xi-sending-page.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "xi-page.h"

G_BEGIN_DECLS

#define XI_TYPE_SENDING_PAGE (xi_sending_page_get_type ())

G_DECLARE_FINAL_TYPE (XiSendingPage, xi_sending_page, XI, SENDING_PAGE, XiPage)

G_END_DECLS
