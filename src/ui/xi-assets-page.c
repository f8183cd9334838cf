/* xi-assets-page.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-assets-page"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-asset-thumbnail.h"
#include "xi-assets-page.h"

/* The asset library: the pictures and documents templates and messages
 * carry. Files come by the file chooser or by dropping them anywhere on
 * the page; each row shows a preview (or the document icon), the name,
 * the size and kind, and a button that removes it. The list is the
 * assets facade's model, which follows the store, so files added or
 * removed elsewhere (a template's attachment, another computer) show
 * here by themselves. All on the main thread. */

#define THUMBNAIL_SIZE 48

struct _XiAssetsPage
{
  XiPage           parent_instance;

  /* Template widgets */
  GtkStack        *content_stack;
  GtkListBox      *asset_list;

  /* Owned */
  GListModel      *assets;       /* the facade's XiAsset, newest first; NULL without a context */
  GCancellable    *cancellable;  /* previews; cancelled on dispose */
  GtkNativeDialog *chooser;
};

G_DEFINE_FINAL_TYPE (XiAssetsPage, xi_assets_page, XI_TYPE_PAGE)

/* Auxiliary methods */

static void
update_state (XiAssetsPage *self)
{
  gboolean empty = self->assets == NULL || g_list_model_get_n_items (self->assets) == 0;

  gtk_stack_set_visible_child_name (self->content_stack, empty ? "empty" : "assets");
}

/* Adding and removing */

static void
asset_added_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(XiAssetsPage) self = user_data;
  g_autoptr(XiAsset) asset = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;

  asset = xi_assets_facade_add_finish (XI_ASSETS_FACADE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (asset == NULL)
    {
      g_autofree char *message = g_markup_escape_text (error->message, -1);

      xi_page_toast (XI_PAGE (self), "%s", message);
      return;
    }
  name = g_markup_escape_text (xi_asset_get_name (asset), -1);
  xi_page_toast (XI_PAGE (self), _("Added “%s”"), name);
}

static void
asset_deleted_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(XiAssetsPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!xi_assets_facade_delete_finish (XI_ASSETS_FACADE (object), result, &error))
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      message = g_markup_escape_text (error->message, -1);
      xi_page_toast (XI_PAGE (self), "%s", message);
    }
}

static void
remove_clicked_cb (GtkButton    *button,
                   XiAssetsPage *self)
{
  XiAsset *asset = g_object_get_data (G_OBJECT (button), "asset");
  XiContext *context = xi_page_get_context (XI_PAGE (self));

  xi_assets_facade_delete_async (xi_context_get_assets_facade (context), xi_asset_get_id (asset),
                                 self->cancellable, asset_deleted_cb, g_object_ref (self));
}

static GtkWidget *
create_row_cb (gpointer item,
               gpointer user_data)
{
  XiAssetsPage *self = user_data;
  XiAsset *asset = item;
  g_autofree char *subtitle = xi_asset_thumbnail_describe (asset);
  g_autofree char *remove_label = g_strdup_printf (_("Remove “%s”"), xi_asset_get_name (asset));
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *image = xi_asset_thumbnail_new (asset, THUMBNAIL_SIZE, self->cancellable);
  GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");

  /* A file's name is text, never markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  /* Renamed on another computer, the same item gets the new name. */
  g_object_bind_property (asset, "name", row, "title", G_BINDING_SYNC_CREATE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

  gtk_widget_add_css_class (image, "lowres-icon");
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), image);

  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_set_tooltip_text (remove, remove_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL, remove_label, -1);
  g_object_set_data_full (G_OBJECT (remove), "asset", g_object_ref (asset), g_object_unref);
  g_signal_connect_object (remove, "clicked", G_CALLBACK (remove_clicked_cb), self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
  return row;
}

/* Callbacks */

static void
assets_changed_cb (XiAssetsPage *self,
                   guint         position,
                   guint         removed,
                   guint         added,
                   GListModel   *model)
{
  update_state (self);
}

static gboolean
files_dropped_cb (GtkDropTarget *target,
                  const GValue  *value,
                  double         x,
                  double         y,
                  XiAssetsPage  *self)
{
  GdkFileList *list = g_value_get_boxed (value);

  if (list == NULL)
    return FALSE;
  xi_assets_page_add_files (self, gdk_file_list_get_files (list));
  return TRUE;
}

static void
files_chosen_cb (GtkNativeDialog *chooser,
                 int              response,
                 XiAssetsPage    *self)
{
  g_autoptr(GListModel) files = NULL;
  GSList *list = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->chooser);
  for (guint i = 0; files != NULL && i < g_list_model_get_n_items (files); i++)
    list = g_slist_append (list, g_list_model_get_item (files, i));
  xi_assets_page_add_files (self, list);
  g_slist_free_full (list, g_object_unref);
}

/* Actions */

static void
add_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  XiAssetsPage *self = XI_ASSETS_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *chooser;

  if (self->chooser != NULL)
    return;
  chooser = gtk_file_chooser_native_new (_("Add Pictures or Documents"),
                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Add"), _("_Cancel"));
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser), TRUE);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (files_chosen_cb), self);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->chooser);
}

/* Life cycle */

static void
xi_assets_page_context_set (XiPage    *page,
                            XiContext *context)
{
  XiAssetsPage *self = XI_ASSETS_PAGE (page);

  g_set_object (&self->assets, xi_facade_get_model (XI_FACADE (xi_context_get_assets_facade (context))));
  gtk_list_box_bind_model (self->asset_list, self->assets, create_row_cb, self, NULL);
  g_signal_connect_object (self->assets, "items-changed", G_CALLBACK (assets_changed_cb), self,
                           G_CONNECT_SWAPPED);
  update_state (self);
}

static void
xi_assets_page_dispose (GObject *object)
{
  XiAssetsPage *self = (XiAssetsPage *)object;

  g_cancellable_cancel (self->cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  /* AdwBin 1.2 unparents its child in its own dispose: let go of it
   * first, so the template teardown does not unparent it twice. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), XI_TYPE_ASSETS_PAGE);
  g_clear_object (&self->assets);

  G_OBJECT_CLASS (xi_assets_page_parent_class)->dispose (object);
}

static void
xi_assets_page_finalize (GObject *object)
{
  XiAssetsPage *self = (XiAssetsPage *)object;

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (xi_assets_page_parent_class)->finalize (object);
}

static void
xi_assets_page_class_init (XiAssetsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = xi_assets_page_dispose;
  object_class->finalize = xi_assets_page_finalize;
  XI_PAGE_CLASS (klass)->context_set = xi_assets_page_context_set;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/xi-assets-page.ui");
  gtk_widget_class_bind_template_child (widget_class, XiAssetsPage, content_stack);
  gtk_widget_class_bind_template_child (widget_class, XiAssetsPage, asset_list);

  gtk_widget_class_install_action (widget_class, "page.new", NULL, add_action);
}

static void
xi_assets_page_init (XiAssetsPage *self)
{
  GtkDropTarget *target;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();

  target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (target, "drop", G_CALLBACK (files_dropped_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));
  update_state (self);
}

/* Public API */

/**
 * xi_assets_page_add_files:
 * @self: a #XiAssetsPage
 * @files: (element-type GFile): files to add, as chosen or dropped
 *
 * Adds each local file to the library; a file that cannot be added says
 * why in a toast.
 */
void
xi_assets_page_add_files (XiAssetsPage *self,
                          GSList       *files)
{
  XiContext *context;

  g_return_if_fail (XI_IS_ASSETS_PAGE (self));

  context = xi_page_get_context (XI_PAGE (self));
  for (GSList *l = files; l != NULL; l = l->next)
    {
      g_autofree char *path = g_file_get_path (l->data);

      if (path == NULL)
        {
          xi_page_toast (XI_PAGE (self), "%s", _("Only files on this computer can be added"));
          continue;
        }
      /* Not the page's cancellable: a file being added is added, even
       * when the window closes first. */
      xi_assets_facade_add_async (xi_context_get_assets_facade (context), path, NULL, asset_added_cb,
                                  g_object_ref (self));
    }
}

/**
 * xi_assets_page_get_assets:
 * @self: a #XiAssetsPage
 *
 * Returns: (transfer none) (nullable): the assets shown, newest first;
 *   %NULL before the page has a context
 */
GListModel *
xi_assets_page_get_assets (XiAssetsPage *self)
{
  g_return_val_if_fail (XI_IS_ASSETS_PAGE (self), NULL);
  return self->assets;
}
