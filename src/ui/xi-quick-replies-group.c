/* xi-quick-replies-group.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-quick-replies-group"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-quick-replies-group.h"

/* Preferences › Replies › Quick Replies: the saved answers the Inbox's
 * composer inserts with Alt+1…9, edited, added, removed and reordered
 * here. They are kept in GSettings ("quick-replies"): each row is saved
 * when it is applied, and the list is drawn again from the setting, so
 * two windows never disagree. Main thread only. */
struct _XiQuickRepliesGroup
{
  AdwPreferencesGroup  parent_instance;

  GtkListBox          *list;
  GSettings           *settings;
};

G_DEFINE_FINAL_TYPE (XiQuickRepliesGroup, xi_quick_replies_group, ADW_TYPE_PREFERENCES_GROUP)

/* Auxiliary methods */

static GStrv
get_replies (XiQuickRepliesGroup *self)
{
  return g_settings_get_strv (self->settings, "quick-replies");
}

static void
set_replies (XiQuickRepliesGroup *self,
             GPtrArray           *replies)
{
  g_ptr_array_add (replies, NULL);
  g_settings_set_strv (self->settings, "quick-replies", (const char * const *)replies->pdata);
}

/* The replies as an array the caller may change, without its NULL. */
static GPtrArray *
copy_replies (XiQuickRepliesGroup *self)
{
  g_auto(GStrv) replies = get_replies (self);
  GPtrArray *copy = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; replies[i] != NULL; i++)
    g_ptr_array_add (copy, g_strdup (replies[i]));
  return copy;
}

static guint
index_of (GtkWidget *widget)
{
  return GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (widget), "index"));
}

/* Callbacks */

static void
applied_cb (AdwEntryRow         *row,
            XiQuickRepliesGroup *self)
{
  g_autoptr(GPtrArray) replies = copy_replies (self);
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
  guint index = index_of (GTK_WIDGET (row));

  if (index >= replies->len)
    {
      if (text[0] == '\0' || replies->len >= XI_QUICK_REPLIES_MAX)
        return;
      g_ptr_array_add (replies, g_steal_pointer (&text));
    }
  else if (text[0] == '\0')
    g_ptr_array_remove_index (replies, index);
  else
    {
      g_free (replies->pdata[index]);
      replies->pdata[index] = g_steal_pointer (&text);
    }
  set_replies (self, replies);
}

static void
move_cb (GtkButton           *button,
         XiQuickRepliesGroup *self)
{
  g_autoptr(GPtrArray) replies = copy_replies (self);
  guint index = index_of (GTK_WIDGET (button));
  int step = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "step"));
  guint other = index + step;
  gpointer swap;

  if (index >= replies->len || other >= replies->len)
    return;
  swap = replies->pdata[index];
  replies->pdata[index] = replies->pdata[other];
  replies->pdata[other] = swap;
  set_replies (self, replies);
}

static void
remove_cb (GtkButton           *button,
           XiQuickRepliesGroup *self)
{
  g_autoptr(GPtrArray) replies = copy_replies (self);
  guint index = index_of (GTK_WIDGET (button));

  if (index >= replies->len)
    return;
  g_ptr_array_remove_index (replies, index);
  set_replies (self, replies);
}

static GtkWidget *
row_button (XiQuickRepliesGroup *self,
            const char          *icon,
            const char          *tooltip,
            guint                index,
            GCallback            callback)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  g_object_set_data (G_OBJECT (button), "index", GUINT_TO_POINTER (index));
  g_signal_connect (button, "clicked", callback, self);
  return button;
}

static void
show_replies (XiQuickRepliesGroup *self)
{
  g_auto(GStrv) replies = get_replies (self);
  guint n = g_strv_length (replies);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *title = NULL;
      GtkWidget *row = adw_entry_row_new ();
      GtkWidget *up, *down, *remove;

      /* Translators: the keys that insert the quick reply of this row */
      title = g_strdup_printf (_("Alt+%u"), i + 1);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      gtk_editable_set_text (GTK_EDITABLE (row), replies[i]);
      adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (row), TRUE);
      g_object_set_data (G_OBJECT (row), "index", GUINT_TO_POINTER (i));
      g_signal_connect (row, "apply", G_CALLBACK (applied_cb), self);

      up = row_button (self, "go-up-symbolic", _("Move Up"), i, G_CALLBACK (move_cb));
      g_object_set_data (G_OBJECT (up), "step", GINT_TO_POINTER (-1));
      gtk_widget_set_sensitive (up, i > 0);
      down = row_button (self, "go-down-symbolic", _("Move Down"), i, G_CALLBACK (move_cb));
      g_object_set_data (G_OBJECT (down), "step", GINT_TO_POINTER (1));
      gtk_widget_set_sensitive (down, i + 1 < n);
      remove = row_button (self, "user-trash-symbolic", _("Remove"), i, G_CALLBACK (remove_cb));
      adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), up);
      adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), down);
      adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), remove);
      gtk_list_box_append (self->list, row);
    }

  if (n < XI_QUICK_REPLIES_MAX)
    {
      GtkWidget *row = adw_entry_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("_New quick reply"));
      adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), TRUE);
      adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (row), TRUE);
      g_object_set_data (G_OBJECT (row), "index", GUINT_TO_POINTER (n));
      g_signal_connect (row, "apply", G_CALLBACK (applied_cb), self);
      gtk_list_box_append (self->list, row);
    }
}

/* GObject */

static void
xi_quick_replies_group_dispose (GObject *object)
{
  XiQuickRepliesGroup *self = (XiQuickRepliesGroup *)object;

  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (xi_quick_replies_group_parent_class)->dispose (object);
}

static void
xi_quick_replies_group_class_init (XiQuickRepliesGroupClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = xi_quick_replies_group_dispose;
}

static void
xi_quick_replies_group_init (XiQuickRepliesGroup *self)
{
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self), _("Quick Replies"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self),
                                         _("Saved answers for the Inbox, up to nine: Alt+1 to Alt+9 insert "
                                           "them in this order. Press Enter to save a change; an emptied "
                                           "reply is removed."));
  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), GTK_WIDGET (self->list));
}

/* Public API */

/**
 * xi_quick_replies_group_set_settings:
 * @settings: the app's settings, whose "quick-replies" it edits
 */
void
xi_quick_replies_group_set_settings (XiQuickRepliesGroup *self,
                                     GSettings           *settings)
{
  g_return_if_fail (XI_IS_QUICK_REPLIES_GROUP (self));
  g_return_if_fail (G_IS_SETTINGS (settings));

  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_set_object (&self->settings, settings);
  g_signal_connect_object (settings, "changed::quick-replies", G_CALLBACK (show_replies), self,
                           G_CONNECT_SWAPPED);
  show_replies (self);
}
