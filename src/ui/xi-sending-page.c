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

/*
 * Where campaigns will start. This version cannot send (that needs a linked
 * WhatsApp account), so the page says so plainly and shows what the user
 * has prepared, each row leading to the page where they prepare it.
 */
struct _XiSendingPage
{
  XiPage        parent_instance;

  /* Template widgets */
  AdwActionRow *contacts_row;
  AdwActionRow *groups_row;
  AdwActionRow *templates_row;
};

G_DEFINE_FINAL_TYPE (XiSendingPage, xi_sending_page, XI_TYPE_PAGE)

static void
counts_changed_cb (XiSendingPage *self)
{
  XiContext *context = xi_page_get_context (XI_PAGE (self));
  guint contacts, groups, templates;
  g_autofree char *contacts_text = NULL;
  g_autofree char *groups_text = NULL;
  g_autofree char *templates_text = NULL;

  if (context == NULL || self->contacts_row == NULL)
    return;

  contacts = g_list_model_get_n_items (xi_context_get_contacts (context));
  groups = g_list_model_get_n_items (xi_context_get_groups (context));
  templates = g_list_model_get_n_items (xi_context_get_templates (context));

  contacts_text = contacts > 0 ? g_strdup_printf (ngettext ("%u contact", "%u contacts", contacts), contacts)
                               : g_strdup (_("None yet: import them or add them one by one"));
  groups_text = groups > 0 ? g_strdup_printf (ngettext ("%u group", "%u groups", groups), groups)
                           : g_strdup (_("None yet: a group is who a campaign goes to"));
  templates_text = templates > 0 ? g_strdup_printf (ngettext ("%u template", "%u templates", templates), templates)
                                 : g_strdup (_("None yet: a template is the message you send"));

  adw_action_row_set_subtitle (self->contacts_row, contacts_text);
  adw_action_row_set_subtitle (self->groups_row, groups_text);
  adw_action_row_set_subtitle (self->templates_row, templates_text);
}

/* The window's win.show-page switches pages; fall back to the
 * application's app.show-page where the window has none. */
static void
row_activated_cb (XiSendingPage *self,
                  AdwActionRow  *row)
{
  const char *page = NULL;

  if (row == self->contacts_row)
    page = "contacts";
  else if (row == self->groups_row)
    page = "groups";
  else if (row == self->templates_row)
    page = "templates";
  else
    g_return_if_reached ();

  if (!gtk_widget_activate_action (GTK_WIDGET (self), "win.show-page", "s", page))
    gtk_widget_activate_action (GTK_WIDGET (self), "app.show-page", "s", page);
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
xi_sending_page_dispose (GObject *object)
{
  /* AdwBin 1.2 unparents its child in its own dispose: let go of it
   * first, so the template teardown does not unparent it twice. */
  adw_bin_set_child (ADW_BIN (object), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), XI_TYPE_SENDING_PAGE);

  G_OBJECT_CLASS (xi_sending_page_parent_class)->dispose (object);
}

static void
xi_sending_page_class_init (XiSendingPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = xi_sending_page_dispose;
  XI_PAGE_CLASS (klass)->context_set = xi_sending_page_context_set;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/xi-sending-page.ui");
  gtk_widget_class_bind_template_child (widget_class, XiSendingPage, contacts_row);
  gtk_widget_class_bind_template_child (widget_class, XiSendingPage, groups_row);
  gtk_widget_class_bind_template_child (widget_class, XiSendingPage, templates_row);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
}

static void
xi_sending_page_init (XiSendingPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
