/* xi-sending-page.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-sending-page"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-sending-page.h"

/* Where campaigns will start. Until sending exists it shows what the user
 * has prepared and leads to the pages where they prepare it. */
struct _XiSendingPage
{
  XiPage        parent_instance;

  AdwActionRow *contacts_row;
  AdwActionRow *groups_row;
  AdwActionRow *templates_row;
};

G_DEFINE_FINAL_TYPE (XiSendingPage, xi_sending_page, XI_TYPE_PAGE)

static void
counts_changed_cb (XiSendingPage *self)
{
  XiContext *context = xi_page_get_context (XI_PAGE (self));
  guint contacts = g_list_model_get_n_items (xi_context_get_contacts (context));
  guint groups = g_list_model_get_n_items (xi_context_get_groups (context));
  guint templates = g_list_model_get_n_items (xi_context_get_templates (context));
  g_autofree char *contacts_text = g_strdup_printf (ngettext ("%u contact", "%u contacts", contacts), contacts);
  g_autofree char *groups_text = g_strdup_printf (ngettext ("%u group", "%u groups", groups), groups);
  g_autofree char *templates_text = g_strdup_printf (ngettext ("%u template", "%u templates", templates), templates);

  adw_action_row_set_subtitle (self->contacts_row, contacts_text);
  adw_action_row_set_subtitle (self->groups_row, groups_text);
  adw_action_row_set_subtitle (self->templates_row, templates_text);
}

static void
xi_sending_page_context_set (XiPage    *page,
                             XiContext *context)
{
  XiSendingPage *self = XI_SENDING_PAGE (page);

  g_signal_connect_object (xi_context_get_contacts (context), "items-changed",
                           G_CALLBACK (counts_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (xi_context_get_groups (context), "items-changed",
                           G_CALLBACK (counts_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (xi_context_get_templates (context), "items-changed",
                           G_CALLBACK (counts_changed_cb), self, G_CONNECT_SWAPPED);
  counts_changed_cb (self);
}

static void
xi_sending_page_class_init (XiSendingPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  XI_PAGE_CLASS (klass)->context_set = xi_sending_page_context_set;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/xi-sending-page.ui");
  gtk_widget_class_bind_template_child (widget_class, XiSendingPage, contacts_row);
  gtk_widget_class_bind_template_child (widget_class, XiSendingPage, groups_row);
  gtk_widget_class_bind_template_child (widget_class, XiSendingPage, templates_row);
}

static void
xi_sending_page_init (XiSendingPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
