/* xi-history-page.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-history-page"

#include "config.h"

#include "xi-history-page.h"

/* The campaign history. Until campaigns exist it says what will appear. */
struct _XiHistoryPage
{
  XiPage parent_instance;
};

G_DEFINE_FINAL_TYPE (XiHistoryPage, xi_history_page, XI_TYPE_PAGE)

static void
xi_history_page_class_init (XiHistoryPageClass *klass)
{
  gtk_widget_class_set_template_from_resource (GTK_WIDGET_CLASS (klass),
                                               RESOURCE_BASE "/xi-history-page.ui");
}

static void
xi_history_page_init (XiHistoryPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
