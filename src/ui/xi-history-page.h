/* xi-history-page.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "xi-page.h"

G_BEGIN_DECLS

/**
 * XiHistoryFilter:
 * @XI_HISTORY_FILTER_ALL: every recipient
 * @XI_HISTORY_FILTER_SENT: the server took the message (sent, delivered or read)
 * @XI_HISTORY_FILTER_DELIVERED: it reached the phone (delivered or read)
 * @XI_HISTORY_FILTER_READ: it was opened
 * @XI_HISTORY_FILTER_FAILED: gave up
 * @XI_HISTORY_FILTER_SKIPPED: never sent, on purpose
 * @XI_HISTORY_FILTER_UNSENT: not sent yet
 *
 * The choices of the report's state filter, in the order shown.
 */
typedef enum {
  XI_HISTORY_FILTER_ALL,
  XI_HISTORY_FILTER_SENT,
  XI_HISTORY_FILTER_DELIVERED,
  XI_HISTORY_FILTER_READ,
  XI_HISTORY_FILTER_FAILED,
  XI_HISTORY_FILTER_SKIPPED,
  XI_HISTORY_FILTER_UNSENT,
} XiHistoryFilter;

#define XI_TYPE_HISTORY_PAGE (xi_history_page_get_type ())

G_DECLARE_FINAL_TYPE (XiHistoryPage, xi_history_page, XI, HISTORY_PAGE, XiPage)

GListModel    *xi_history_page_get_jobs         (XiHistoryPage   *self);
gboolean       xi_history_page_select_job       (XiHistoryPage   *self,
                                                 const char      *job_id);
GListModel    *xi_history_page_get_report       (XiHistoryPage   *self);
void           xi_history_page_set_search       (XiHistoryPage   *self,
                                                 const char      *text);
void           xi_history_page_set_filter       (XiHistoryPage   *self,
                                                 XiHistoryFilter  filter);
void           xi_history_page_export           (XiHistoryPage   *self,
                                                 GFile           *file);
void           xi_history_page_show_activity    (XiHistoryPage   *self,
                                                 gboolean         activity);
GListModel    *xi_history_page_get_activity     (XiHistoryPage   *self);
const XiQuota *xi_history_page_get_quota        (XiHistoryPage   *self);

G_END_DECLS
