/* xi-ui-wa-test-utils.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "fakewa-server.h"
#include "xi-ui-test-utils.h"

G_BEGIN_DECLS

XiConnection *xi_ui_wa_start        (XiUiFixture       *fixture,
                                     FakewaServer      *server,
                                     XiCampaignRunner **runner);
void          xi_ui_wa_stop         (XiConnection     **connection,
                                     XiCampaignRunner **runner);
void          xi_ui_wa_link_account (XiConnection      *connection,
                                     FakewaServer      *server,
                                     const char        *phone);

G_END_DECLS
