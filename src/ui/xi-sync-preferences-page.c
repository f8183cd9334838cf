/* xi-sync-preferences-page.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-sync-preferences-page"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-sync-preferences-page.h"

/*
 * The Account page of Preferences: who is signed in, with Sign In and
 * Sign Out (the application's actions, which switch the data the app
 * shows), and the project to sync with, checked by XiSyncAccount before
 * it is saved. Main thread only.
 */
struct _XiSyncPreferencesPage
{
  AdwPreferencesPage  parent_instance;

  /* Template widgets */
  AdwActionRow       *account_row;
  GtkWidget          *sign_in_button;
  GtkWidget          *sign_out_button;
  AdwEntryRow        *url_row;
  AdwEntryRow        *key_row;
  GtkLabel           *project_message;
  GtkWidget          *save_button;

  /* Owned */
  XiSyncAccount      *account;
};

G_DEFINE_FINAL_TYPE (XiSyncPreferencesPage, xi_sync_preferences_page, ADW_TYPE_PREFERENCES_PAGE)

/* Auxiliary methods */

static void
show_project_message (XiSyncPreferencesPage *self,
                      const char            *message,
                      gboolean               is_error)
{
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->project_message), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->project_message), "error");
  gtk_label_set_label (self->project_message, message);
}

static void
update (XiSyncPreferencesPage *self)
{
  const char *email = xi_sync_account_get_email (self->account);
  gboolean signed_in = xi_sync_account_get_user_id (self->account) != NULL;
  gboolean configured = xi_sync_account_get_project_url (self->account) != NULL;

  if (signed_in)
    {
      g_autofree char *title = NULL;

      /* Translators: %s is an email address */
      title = g_strdup_printf (_("Signed in as %s"), email != NULL ? email : _("an account"));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->account_row), title);
      adw_action_row_set_subtitle (self->account_row, _("Synced with the project below"));
    }
  else
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->account_row), _("Nobody is signed in"));
      adw_action_row_set_subtitle (self->account_row,
                                   configured ? _("The data stays on this computer only")
                                              : _("Set up the project below first"));
    }
  gtk_widget_set_visible (self->sign_in_button, !signed_in);
  gtk_widget_set_sensitive (self->sign_in_button, configured);
  gtk_widget_set_visible (self->sign_out_button, signed_in);
}

/* Callbacks */

static void
project_changed_cb (XiSyncPreferencesPage *self)
{
  const char *url = gtk_editable_get_text (GTK_EDITABLE (self->url_row));
  const char *key = gtk_editable_get_text (GTK_EDITABLE (self->key_row));

  gtk_widget_set_sensitive (self->save_button,
                            g_strcmp0 (url, xi_sync_account_get_project_url (self->account)) != 0 ||
                            g_strcmp0 (key, xi_sync_account_get_anon_key (self->account)) != 0);
  show_project_message (self, NULL, FALSE);
}

static void
save_clicked_cb (XiSyncPreferencesPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->url_row))));
  g_autofree char *key = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->key_row))));

  if (!xi_sync_account_configure (self->account, url, key, &error))
    {
      show_project_message (self, error->message, TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (self->url_row));
      return;
    }
  /* The URL as the client keeps it, without a trailing slash. */
  gtk_editable_set_text (GTK_EDITABLE (self->url_row), xi_sync_account_get_project_url (self->account));
  project_changed_cb (self);
  show_project_message (self, xi_sync_account_get_user_id (self->account) != NULL
                              ? _("Saved.")
                              : _("Saved. You can sign in now."), FALSE);
  update (self);
}

/* GObject */

static void
xi_sync_preferences_page_dispose (GObject *object)
{
  XiSyncPreferencesPage *self = (XiSyncPreferencesPage *)object;

  g_clear_object (&self->account);

  G_OBJECT_CLASS (xi_sync_preferences_page_parent_class)->dispose (object);
}

static void
xi_sync_preferences_page_class_init (XiSyncPreferencesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = xi_sync_preferences_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/xi-sync-preferences-page.ui");
  gtk_widget_class_bind_template_child (widget_class, XiSyncPreferencesPage, account_row);
  gtk_widget_class_bind_template_child (widget_class, XiSyncPreferencesPage, sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, XiSyncPreferencesPage, sign_out_button);
  gtk_widget_class_bind_template_child (widget_class, XiSyncPreferencesPage, url_row);
  gtk_widget_class_bind_template_child (widget_class, XiSyncPreferencesPage, key_row);
  gtk_widget_class_bind_template_child (widget_class, XiSyncPreferencesPage, project_message);
  gtk_widget_class_bind_template_child (widget_class, XiSyncPreferencesPage, save_button);
  gtk_widget_class_bind_template_callback (widget_class, project_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, save_clicked_cb);
}

static void
xi_sync_preferences_page_init (XiSyncPreferencesPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* Public API */

/**
 * xi_sync_preferences_page_new:
 * @context: the shared services, with the data folder's sync settings
 *
 * Returns: (transfer floating): the Account page
 */
GtkWidget *
xi_sync_preferences_page_new (XiContext *context)
{
  XiSyncPreferencesPage *self;
  const char *url;
  const char *key;

  g_return_val_if_fail (XI_IS_CONTEXT (context), NULL);
  g_return_val_if_fail (xi_context_get_sync_account (context) != NULL, NULL);

  self = g_object_new (XI_TYPE_SYNC_PREFERENCES_PAGE, NULL);
  self->account = g_object_ref (xi_context_get_sync_account (context));
  url = xi_sync_account_get_project_url (self->account);
  key = xi_sync_account_get_anon_key (self->account);
  gtk_editable_set_text (GTK_EDITABLE (self->url_row), url != NULL ? url : "");
  gtk_editable_set_text (GTK_EDITABLE (self->key_row), key != NULL ? key : "");
  project_changed_cb (self);
  update (self);
  return GTK_WIDGET (self);
}
