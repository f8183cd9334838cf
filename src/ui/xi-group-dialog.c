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

/*
 * Creates a group, or edits one: name, description and colour. A name is
 * required and must differ from every other group's (ignoring case); a
 * clash is shown under the fields while typing, and again if the store
 * refuses the name (XI_STORE_ERROR_DUPLICATE), so the user can fix it here.
 */
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
  gboolean      valid;
  gboolean      saving;
};

G_DEFINE_FINAL_TYPE (XiGroupDialog, xi_group_dialog, ADW_TYPE_WINDOW)

enum {
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Colours are stored as these keys (also CSS classes in style.css);
 * the labels are translated. The first entry means "no colour". */
static const struct {
  const char *key;
  const char *label;
} colours[] = {
  { NULL, N_("No colour") },
  { "blue", N_("Blue") },
  { "green", N_("Green") },
  { "yellow", N_("Yellow") },
  { "orange", N_("Orange") },
  { "red", N_("Red") },
  { "purple", N_("Purple") },
  { "brown", N_("Brown") },
};

/* Auxiliary methods */

static char *
dup_name (XiGroupDialog *self)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
}

static void
show_message (XiGroupDialog *self,
              const char    *message,
              gboolean       about_name)
{
  gboolean shown = message != NULL && message[0] != '\0';

  gtk_label_set_text (self->message_label, shown ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), shown);
  if (shown && about_name)
    gtk_widget_add_css_class (GTK_WIDGET (self->name_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->name_row), "error");
}

/* Another group with this name (ignoring case), other than the one edited. */
static gboolean
name_taken (XiGroupDialog *self,
            const char    *name)
{
  GListModel *groups = xi_context_get_groups (self->context);
  g_autofree char *key = g_utf8_casefold (name, -1);
  guint n = g_list_model_get_n_items (groups);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(XiGroup) other = g_list_model_get_item (groups, i);
      g_autofree char *other_key = g_utf8_casefold (xi_group_get_name (other), -1);

      if (g_strcmp0 (xi_group_get_id (other), xi_group_get_id (self->group)) != 0 &&
          g_str_equal (key, other_key))
        return TRUE;
    }
  return FALSE;
}

/* Checks the name; returns whether the group may be saved. */
static gboolean
validate (XiGroupDialog *self)
{
  g_autofree char *name = dup_name (self);
  gboolean ok = FALSE;

  if (name[0] == '\0')
    show_message (self, NULL, FALSE);
  else if (self->context != NULL && name_taken (self, name))
    {
      g_autofree char *message = g_strdup_printf (_("A group named “%s” already exists. "
                                                    "Choose another name."), name);
      show_message (self, message, TRUE);
    }
  else
    {
      show_message (self, NULL, FALSE);
      ok = TRUE;
    }

  self->valid = ok;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "group.save", ok && !self->saving);
  return ok;
}

/* Callbacks */

static void
name_changed_cb (XiGroupDialog *self)
{
  validate (self);
}

static void
setup_colour_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);

  gtk_box_append (GTK_BOX (box), gtk_label_new (NULL));
  gtk_box_append (GTK_BOX (box), gtk_label_new (NULL));
  gtk_list_item_set_child (item, box);
}

static void
bind_colour_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item)
{
  GtkWidget *dot = gtk_widget_get_first_child (gtk_list_item_get_child (item));
  GtkWidget *label = gtk_widget_get_next_sibling (dot);
  const char *label_text = gtk_string_object_get_string (gtk_list_item_get_item (item));
  const char *key = NULL;

  /* The row showing the current choice has no position: go by the label. */
  for (guint i = 0; i < G_N_ELEMENTS (colours); i++)
    if (g_str_equal (label_text, _(colours[i].label)))
      key = colours[i].key;

  if (key != NULL)
    {
      gtk_label_set_text (GTK_LABEL (dot), "●");
      gtk_widget_set_css_classes (dot, (const char *[]) { "group-name", key, NULL });
    }
  else
    {
      gtk_label_set_text (GTK_LABEL (dot), "○");
      gtk_widget_set_css_classes (dot, (const char *[]) { "dim-label", NULL });
    }
  gtk_label_set_text (GTK_LABEL (label), label_text);
}

static void
saved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(XiGroupDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(XiGroup) saved = xi_groups_facade_save_finish (XI_GROUPS_FACADE (object), result, &error);

  self->saving = FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (saved == NULL)
    {
      gboolean about_name = g_error_matches (error, XI_STORE_ERROR, XI_STORE_ERROR_DUPLICATE) ||
                            g_error_matches (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID);

      show_message (self, error->message, about_name);
      self->valid = !about_name;
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "group.save", self->valid);
      if (about_name)
        gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
      return;
    }

  g_signal_emit (self, signals[SAVED], 0, saved);
  gtk_window_close (GTK_WINDOW (self));
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  xi_group_dialog_save (XI_GROUP_DIALOG (widget));
}

/* Life cycle */

static void
xi_group_dialog_dispose (GObject *object)
{
  XiGroupDialog *self = (XiGroupDialog *)object;

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), XI_TYPE_GROUP_DIALOG);
  g_clear_object (&self->context);
  g_clear_object (&self->group);

  G_OBJECT_CLASS (xi_group_dialog_parent_class)->dispose (object);
}

static void
xi_group_dialog_finalize (GObject *object)
{
  XiGroupDialog *self = (XiGroupDialog *)object;

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (xi_group_dialog_parent_class)->finalize (object);
}

static void
xi_group_dialog_class_init (XiGroupDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = xi_group_dialog_dispose;
  object_class->finalize = xi_group_dialog_finalize;

  /**
   * XiGroupDialog::saved:
   * @group: the group as stored (also put into the context's groups)
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
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "group.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "group.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
xi_group_dialog_init (XiGroupDialog *self)
{
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();

  for (guint i = 0; i < G_N_ELEMENTS (colours); i++)
    gtk_string_list_append (labels, _(colours[i].label));
  g_signal_connect (factory, "setup", G_CALLBACK (setup_colour_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_colour_cb), NULL);
  adw_combo_row_set_factory (self->colour_row, factory);
  adw_combo_row_set_model (self->colour_row, G_LIST_MODEL (labels));
  gtk_window_set_default_widget (GTK_WINDOW (self), self->save_button);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "group.save", FALSE);
}

/* Public API */

/**
 * xi_group_dialog_new:
 * @context: the shared services
 * @group: (nullable): the group to edit, or %NULL for a new one
 *
 * Returns: (transfer none): the dialog, owned by GTK until closed
 */
GtkWidget *
xi_group_dialog_new (XiContext *context,
                     XiGroup   *group)
{
  XiGroupDialog *self;

  g_return_val_if_fail (XI_IS_CONTEXT (context), NULL);
  g_return_val_if_fail (group == NULL || XI_IS_GROUP (group), NULL);

  self = g_object_new (XI_TYPE_GROUP_DIALOG, NULL);
  self->context = g_object_ref (context);
  self->group = group != NULL ? xi_group_copy (group) : xi_group_new (NULL);

  if (group != NULL)
    {
      g_autofree char *title = g_strdup_printf (_("Edit “%s”"), xi_group_get_name (group));

      gtk_window_set_title (GTK_WINDOW (self), title);
      gtk_editable_set_text (GTK_EDITABLE (self->name_row), xi_group_get_name (group));
      gtk_editable_set_text (GTK_EDITABLE (self->description_row),
                             xi_group_get_description (group) != NULL ? xi_group_get_description (group) : "");
      xi_group_dialog_set_colour (self, xi_group_get_colour (group));
    }
  validate (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->name_row));

  return GTK_WIDGET (self);
}

void
xi_group_dialog_set_name (XiGroupDialog *self,
                          const char    *name)
{
  g_return_if_fail (XI_IS_GROUP_DIALOG (self));
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), name != NULL ? name : "");
}

void
xi_group_dialog_set_description (XiGroupDialog *self,
                                 const char    *description)
{
  g_return_if_fail (XI_IS_GROUP_DIALOG (self));
  gtk_editable_set_text (GTK_EDITABLE (self->description_row), description != NULL ? description : "");
}

/**
 * xi_group_dialog_set_colour:
 * @self: a #XiGroupDialog
 * @colour: (nullable): a colour key such as "green", or %NULL for none
 */
void
xi_group_dialog_set_colour (XiGroupDialog *self,
                            const char    *colour)
{
  g_return_if_fail (XI_IS_GROUP_DIALOG (self));

  for (guint i = 0; i < G_N_ELEMENTS (colours); i++)
    if (g_strcmp0 (colours[i].key, colour) == 0)
      {
        adw_combo_row_set_selected (self->colour_row, i);
        return;
      }
  adw_combo_row_set_selected (self->colour_row, 0);
}

gboolean
xi_group_dialog_can_save (XiGroupDialog *self)
{
  g_return_val_if_fail (XI_IS_GROUP_DIALOG (self), FALSE);
  return self->valid && !self->saving;
}

/**
 * xi_group_dialog_get_message:
 * @self: a #XiGroupDialog
 *
 * Returns: the problem shown under the fields, or ""
 */
const char *
xi_group_dialog_get_message (XiGroupDialog *self)
{
  g_return_val_if_fail (XI_IS_GROUP_DIALOG (self), NULL);
  return gtk_label_get_text (self->message_label);
}

/**
 * xi_group_dialog_save:
 * @self: a #XiGroupDialog
 *
 * Saves the group, if the name is valid. On success the context's groups
 * are updated, #XiGroupDialog::saved is emitted and the dialog closes; on
 * failure the reason is shown in the dialog.
 */
void
xi_group_dialog_save (XiGroupDialog *self)
{
  g_autofree char *name = NULL;
  g_autofree char *description = NULL;
  guint colour;

  g_return_if_fail (XI_IS_GROUP_DIALOG (self));

  if (self->saving || !validate (self))
    return;

  name = dup_name (self);
  description = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->description_row))));
  colour = adw_combo_row_get_selected (self->colour_row);

  xi_group_set_name (self->group, name);
  xi_group_set_description (self->group, description[0] != '\0' ? description : NULL);
  xi_group_set_colour (self->group, colour < G_N_ELEMENTS (colours) ? colours[colour].key : NULL);

  /* Only Save is switched off while the store works: making the window
   * insensitive would take the focus from the entry behind its back. */
  self->saving = TRUE;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "group.save", FALSE);
  xi_groups_facade_save_async (xi_context_get_groups_facade (self->context), self->group,
                               self->cancellable, saved_cb, g_object_ref (self));
}
