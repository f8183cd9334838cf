/* xi-history-page.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-history-page"

#include "config.h"

#include "xi-history-page.h"

/* The campaign history. This version cannot send, so there is none yet,
 * and the page says so. */
struct _XiHistoryPage
{
  XiPage parent_instance;
};

G_DEFINE_FINAL_TYPE (XiHistoryPage, xi_history_page, XI_TYPE_PAGE)

static void
xi_history_page_dispose (GObject *object)
{
  /* AdwBin 1.2 unparents its child in its own dispose: let go of it
   * first, so the template teardown does not unparent it twice. */
  adw_bin_set_child (ADW_BIN (object), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), XI_TYPE_HISTORY_PAGE);

  G_OBJECT_CLASS (xi_history_page_parent_class)->dispose (object);
}

static void
xi_history_page_class_init (XiHistoryPageClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = xi_history_page_dispose;

  gtk_widget_class_set_template_from_resource (GTK_WIDGET_CLASS (klass),
                                               RESOURCE_BASE "/xi-history-page.ui");
}

static void
xi_history_page_init (XiHistoryPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
