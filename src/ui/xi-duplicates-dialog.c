/* xi-duplicates-dialog.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-duplicates-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-duplicates-dialog.h"
#include "xi-phone.h"

/*
 * Lists the contacts that are likely one person (the same name with
 * different numbers), one group per name. In each the user picks the
 * contact to keep and merges the others into it, or keeps them all; the
 * store does either in its own transactions, and the shared models are
 * reloaded so that the Contacts page shows the result.
 */
struct _XiDuplicatesDialog
{
  AdwWindow            parent_instance;

  /* Template widgets */
  GtkStack            *stack;
  AdwPreferencesPage  *page;

  /* Owned */
  XiContext           *context;
  GCancellable        *cancellable;
  guint                n_shown;
  guint                n_running;
};

G_DEFINE_FINAL_TYPE (XiDuplicatesDialog, xi_duplicates_dialog, ADW_TYPE_WINDOW)

/* What one group's button asked for: the pairs still to do, in order. */
typedef struct
{
  XiDuplicatesDialog *self;
  GtkWidget          *group;
  GPtrArray          *pairs;     /* char *, keep then other, flattened */
  guint               next;
  gboolean            merge;
} ClusterJob;

static void
cluster_job_free (ClusterJob *job)
{
  g_object_unref (job->self);
  g_object_unref (job->group);
  g_ptr_array_unref (job->pairs);
  g_free (job);
}

/* Auxiliary methods */

static void run_next (ClusterJob *job);

static void
finish_job (ClusterJob   *job,
            const GError *error)
{
  XiDuplicatesDialog *self = job->self;

  self->n_running--;
  if (error != NULL)
    {
      adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (job->group), error->message);
      gtk_widget_set_sensitive (job->group, TRUE);
    }
  else
    {
      adw_preferences_page_remove (self->page, ADW_PREFERENCES_GROUP (job->group));
      self->n_shown--;
      if (self->n_shown == 0)
        gtk_stack_set_visible_child_name (self->stack, "empty");
    }
  cluster_job_free (job);
}

static void
step_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  ClusterJob *job = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(XiContact) merged = NULL;

  if (job->merge)
    merged = xi_contacts_facade_merge_finish (XI_CONTACTS_FACADE (object), result, &error);
  else
    xi_contacts_facade_keep_both_finish (XI_CONTACTS_FACADE (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      cluster_job_free (job);
      return;
    }
  if (error != NULL)
    {
      finish_job (job, error);
      return;
    }
  run_next (job);
}

static void
run_next (ClusterJob *job)
{
  XiContactsFacade *facade = xi_context_get_contacts_facade (job->self->context);
  const char *keep;
  const char *other;

  if (job->next >= job->pairs->len)
    {
      finish_job (job, NULL);
      return;
    }

  keep = g_ptr_array_index (job->pairs, job->next);
  other = g_ptr_array_index (job->pairs, job->next + 1);
  job->next += 2;
  if (job->merge)
    xi_contacts_facade_merge_async (facade, keep, other, job->self->cancellable, step_done_cb, job);
  else
    xi_contacts_facade_keep_both_async (facade, keep, other, job->self->cancellable, step_done_cb, job);
}

static void
start_job (XiDuplicatesDialog *self,
           GtkWidget          *group,
           gboolean            merge)
{
  GPtrArray *ids = g_object_get_data (G_OBJECT (group), "ids");
  GPtrArray *checks = g_object_get_data (G_OBJECT (group), "checks");
  ClusterJob *job = g_new0 (ClusterJob, 1);
  guint keep = 0;

  for (guint i = 0; i < checks->len; i++)
    if (gtk_check_button_get_active (g_ptr_array_index (checks, i)))
      keep = i;

  job->self = g_object_ref (self);
  job->group = g_object_ref (group);
  job->merge = merge;
  job->pairs = g_ptr_array_new_with_free_func (g_free);
  /* A merge takes every other contact into the chosen one; keeping all
   * remembers every pair. */
  for (guint i = merge ? keep : 0; i < (merge ? keep + 1 : ids->len); i++)
    for (guint j = merge ? 0 : i + 1; j < ids->len; j++)
      {
        if (j == i)
          continue;
        g_ptr_array_add (job->pairs, g_strdup (g_ptr_array_index (ids, i)));
        g_ptr_array_add (job->pairs, g_strdup (g_ptr_array_index (ids, j)));
      }

  gtk_widget_set_sensitive (group, FALSE);
  self->n_running++;
  run_next (job);
}

/* Callbacks */

static void
merge_clicked_cb (GtkButton          *button,
                  XiDuplicatesDialog *self)
{
  start_job (self, g_object_get_data (G_OBJECT (button), "group"), TRUE);
}

static void
keep_all_clicked_cb (GtkButton          *button,
                     XiDuplicatesDialog *self)
{
  start_job (self, g_object_get_data (G_OBJECT (button), "group"), FALSE);
}

static GtkWidget *
make_button (XiDuplicatesDialog *self,
             GtkWidget          *group,
             const char         *label,
             GCallback           callback)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_object_set_data (G_OBJECT (button), "group", group);
  g_signal_connect (button, "clicked", callback, self);
  return button;
}

static void
add_cluster (XiDuplicatesDialog *self,
             GPtrArray          *cluster)
{
  GtkWidget *group = adw_preferences_group_new ();
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *merge;
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *checks = g_ptr_array_new ();
  GtkCheckButton *first = NULL;

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group),
                                   xi_contact_get_display_name (g_ptr_array_index (cluster, 0)));
  for (guint i = 0; i < cluster->len; i++)
    {
      XiContact *contact = g_ptr_array_index (cluster, i);
      g_autofree char *phone = xi_phone_format_international (xi_contact_get_phone (contact));
      g_autofree char *subtitle = xi_contact_get_opted_out (contact)
                                  ? g_strdup_printf (_("%s · opted out"), phone) : g_strdup (phone);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_check_button_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), xi_contact_get_display_name (contact));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (check, _("Keep this one"));
      if (first == NULL)
        {
          first = GTK_CHECK_BUTTON (check);
          gtk_check_button_set_active (first, TRUE);
        }
      else
        gtk_check_button_set_group (GTK_CHECK_BUTTON (check), first);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
      g_ptr_array_add (ids, g_strdup (xi_contact_get_id (contact)));
      g_ptr_array_add (checks, check);
    }

  g_object_set_data_full (G_OBJECT (group), "ids", ids, (GDestroyNotify)g_ptr_array_unref);
  g_object_set_data_full (G_OBJECT (group), "checks", checks, (GDestroyNotify)g_ptr_array_unref);
  gtk_box_append (GTK_BOX (buttons), make_button (self, group, _("_Keep All"),
                                                  G_CALLBACK (keep_all_clicked_cb)));
  merge = make_button (self, group, _("_Merge"), G_CALLBACK (merge_clicked_cb));
  gtk_widget_add_css_class (merge, "suggested-action");
  gtk_box_append (GTK_BOX (buttons), merge);
  adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (group), buttons);
  adw_preferences_page_add (self->page, ADW_PREFERENCES_GROUP (group));
}

static void
found_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(XiDuplicatesDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) clusters = xi_store_find_duplicates_finish (XI_STORE (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (clusters == NULL)
    {
      g_warning ("Could not find duplicates: %s", error->message);
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }

  for (guint i = 0; i < clusters->len; i++)
    add_cluster (self, g_ptr_array_index (clusters, i));
  self->n_shown = clusters->len;
  gtk_stack_set_visible_child_name (self->stack, clusters->len > 0 ? "list" : "empty");
}

/* GObject overrides */

static void
xi_duplicates_dialog_dispose (GObject *object)
{
  XiDuplicatesDialog *self = (XiDuplicatesDialog *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->context);

  G_OBJECT_CLASS (xi_duplicates_dialog_parent_class)->dispose (object);
}

static void
xi_duplicates_dialog_finalize (GObject *object)
{
  XiDuplicatesDialog *self = (XiDuplicatesDialog *)object;

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (xi_duplicates_dialog_parent_class)->finalize (object);
}

static void
xi_duplicates_dialog_class_init (XiDuplicatesDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = xi_duplicates_dialog_dispose;
  object_class->finalize = xi_duplicates_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/xi-duplicates-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, XiDuplicatesDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, XiDuplicatesDialog, page);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
xi_duplicates_dialog_init (XiDuplicatesDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

/* Public API */

/**
 * xi_duplicates_dialog_new:
 * @context: the shared services
 *
 * Returns: (transfer none): the dialog, owned by GTK until closed; it
 *   starts looking for duplicates at once
 */
GtkWidget *
xi_duplicates_dialog_new (XiContext *context)
{
  XiDuplicatesDialog *self = g_object_new (XI_TYPE_DUPLICATES_DIALOG, NULL);

  self->context = g_object_ref (context);
  xi_store_find_duplicates_async (xi_context_get_store (context), self->cancellable, found_cb,
                                  g_object_ref (self));
  return GTK_WIDGET (self);
}

/**
 * xi_duplicates_dialog_get_n_shown:
 * @self: a #XiDuplicatesDialog
 *
 * Returns: how many names with duplicates are listed
 */
guint
xi_duplicates_dialog_get_n_shown (XiDuplicatesDialog *self)
{
  g_return_val_if_fail (XI_IS_DUPLICATES_DIALOG (self), 0);
  return self->n_shown;
}

/**
 * xi_duplicates_dialog_get_busy:
 * @self: a #XiDuplicatesDialog
 *
 * Returns: whether a merge or a "keep all" is still being written
 */
gboolean
xi_duplicates_dialog_get_busy (XiDuplicatesDialog *self)
{
  g_return_val_if_fail (XI_IS_DUPLICATES_DIALOG (self), FALSE);
  return self->n_running > 0;
}
