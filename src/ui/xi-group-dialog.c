/* xi-group-dialog.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-group-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-group-dialog.h"

/* Creates or renames a group; a name another group has is refused here,
 * where the user can change it. */
struct _XiGroupDialog
{
  AdwWindow     parent_instance;

  /* Template widgets */
  GtkWidget    *save_button;
  AdwEntryRow  *name_row;
  AdwEntryRow  *description_row;
  AdwComboRow  *colour_row;
  GtkLabel     *message_label;

  /* Owned */
  XiContext    *context;
  XiGroup      *group;
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (XiGroupDialog, xi_group_dialog, ADW_TYPE_WINDOW)

enum {
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Colour names are stored as keys; the labels are translated. */
static const struct {
  const char *key;
  const char *label;
} colours[] = {
  { "blue", N_("Blue") }, { "green", N_("Green") }, { "yellow", N_("Yellow") },
  { "orange", N_("Orange") }, { "red", N_("Red") }, { "purple", N_("Purple") },
  { "brown", N_("Brown") },
};

static void
name_changed_cb (XiGroupDialog *self)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));

  gtk_label_set_text (self->message_label, "");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "group.save", name[0] != '\0');
}

static void
saved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(XiGroupDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(XiGroup) saved = xi_store_save_group_finish (XI_STORE (object), result, &error);

  gtk_widget_set_sensitive (GTK_WIDGET (self), TRUE);
  if (saved == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        gtk_label_set_text (self->message_label, error->message);
      return;
    }

  xi_context_upsert_item (self->context, xi_context_get_groups (self->context), saved);
  g_signal_emit (self, signals[SAVED], 0, saved);
  gtk_window_close (GTK_WINDOW (self));
}

void
xi_group_dialog_save (XiGroupDialog *self)
{
  g_autofree char *name = NULL;
  guint colour;

  g_return_if_fail (XI_IS_GROUP_DIALOG (self));

  name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  if (name[0] == '\0')
    return;

  colour = adw_combo_row_get_selected (self->colour_row);
  xi_group_set_name (self->group, name);
  xi_group_set_description (self->group, gtk_editable_get_text (GTK_EDITABLE (self->description_row)));
  xi_group_set_colour (self->group, colour < G_N_ELEMENTS (colours) ? colours[colour].key : NULL);

  gtk_widget_set_sensitive (GTK_WIDGET (self), FALSE);
  xi_store_save_group_async (xi_context_get_store (self->context), self->group, self->cancellable,
                             saved_cb, g_object_ref (self));
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  xi_group_dialog_save (XI_GROUP_DIALOG (widget));
}

static void
xi_group_dialog_dispose (GObject *object)
{
  XiGroupDialog *self = (XiGroupDialog *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->context);
  g_clear_object (&self->group);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (xi_group_dialog_parent_class)->dispose (object);
}

static void
xi_group_dialog_class_init (XiGroupDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = xi_group_dialog_dispose;

  /**
   * XiGroupDialog::saved:
   * @group: the group as stored
   */
  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, XI_TYPE_GROUP);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/xi-group-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, XiGroupDialog, save_button);
  gtk_widget_class_bind_template_child (widget_class, XiGroupDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, XiGroupDialog, description_row);
  gtk_widget_class_bind_template_child (widget_class, XiGroupDialog, colour_row);
  gtk_widget_class_bind_template_child (widget_class, XiGroupDialog, message_label);
  gtk_widget_class_bind_template_callback (widget_class, name_changed_cb);

  gtk_widget_class_install_action (widget_class, "group.save", NULL, save_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "group.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
xi_group_dialog_init (XiGroupDialog *self)
{
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();

  for (guint i = 0; i < G_N_ELEMENTS (colours); i++)
    gtk_string_list_append (labels, _(colours[i].label));
  adw_combo_row_set_model (self->colour_row, G_LIST_MODEL (labels));
  gtk_window_set_default_widget (GTK_WINDOW (self), self->save_button);
}

/**
 * xi_group_dialog_new:
 * @context: the shared services
 * @group: (nullable): the group to rename, or %NULL for a new one
 *
 * Returns: (transfer none): the dialog, owned by GTK until closed
 */
GtkWidget *
xi_group_dialog_new (XiContext *context,
                     XiGroup   *group)
{
  XiGroupDialog *self = g_object_new (XI_TYPE_GROUP_DIALOG, NULL);

  self->context = g_object_ref (context);
  self->group = group != NULL ? xi_group_copy (group) : xi_group_new (NULL);
  gtk_window_set_title (GTK_WINDOW (self), group != NULL ? _("Edit Group") : _("New Group"));

  if (group != NULL)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->name_row), xi_group_get_name (group));
      gtk_editable_set_text (GTK_EDITABLE (self->description_row), xi_group_get_description (group) ?: "");
      for (guint i = 0; i < G_N_ELEMENTS (colours); i++)
        if (g_strcmp0 (colours[i].key, xi_group_get_colour (group)) == 0)
          adw_combo_row_set_selected (self->colour_row, i);
    }
  name_changed_cb (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->name_row));

  return GTK_WIDGET (self);
}

void
xi_group_dialog_set_name (XiGroupDialog *self,
                          const char    *name)
{
  g_return_if_fail (XI_IS_GROUP_DIALOG (self));
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), name);
}
