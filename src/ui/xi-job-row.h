/* xi-job-row.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "xi-campaign-runner.h"

G_BEGIN_DECLS

#define XI_TYPE_JOB_ROW (xi_job_row_get_type ())

G_DECLARE_FINAL_TYPE (XiJobRow, xi_job_row, XI, JOB_ROW, GtkListBoxRow)

GtkWidget  *xi_job_row_new           (XiJob               *job);
XiJob      *xi_job_row_get_job       (XiJobRow            *self);
void        xi_job_row_set_progress  (XiJobRow            *self,
                                      const XiJobProgress *progress);
const char *xi_job_row_get_status    (XiJobRow            *self);
const char *xi_job_row_get_detail    (XiJobRow            *self);

G_END_DECLS
