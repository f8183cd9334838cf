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

gboolean         xi_sending_page_select_group    (XiSendingPage *self,
                                                  const char    *group_id);
gboolean         xi_sending_page_select_template (XiSendingPage *self,
                                                  const char    *template_id);
void             xi_sending_page_set_delay       (XiSendingPage *self,
                                                  guint          min_seconds,
                                                  guint          max_seconds);
void             xi_sending_page_set_batch       (XiSendingPage *self,
                                                  guint          size,
                                                  guint          rest_minutes);
XiJobSpec       *xi_sending_page_dup_spec        (XiSendingPage *self);
gboolean         xi_sending_page_set_rehearse    (XiSendingPage *self,
                                                  gboolean       rehearse);
const XiJobPlan *xi_sending_page_get_plan        (XiSendingPage *self);
GtkWidget       *xi_sending_page_find_job_row    (XiSendingPage *self,
                                                  const char    *job_id);

G_END_DECLS
