/* xi-asset-thumbnail.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-asset-thumbnail"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-asset-thumbnail.h"

/* How an asset looks in the app: its preview (or its kind's icon) and a
 * line that says how big it is and what it is. A preview is decoded on a
 * worker thread at the size it is shown, so a 16 MB photo never blocks
 * the window nor sits whole in memory. */

static void
thumbnail_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  const char *path = task_data;
  int size = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (task), "size"));
  g_autoptr(GdkPixbuf) scaled = NULL;
  GError *error = NULL;

  scaled = gdk_pixbuf_new_from_file_at_scale (path, size, size, TRUE, &error);
  if (scaled == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, gdk_pixbuf_apply_embedded_orientation (scaled), g_object_unref);
}

static void
thumbnail_loaded_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GtkImage) image = user_data;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;

  pixbuf = g_task_propagate_pointer (G_TASK (result), &error);
  if (pixbuf == NULL)
    {
      /* The icon stays: a picture WhatsApp takes may still be one
       * gdk-pixbuf cannot read. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("No preview: %s", error->message);
      return;
    }
  texture = gdk_texture_new_for_pixbuf (pixbuf);
  gtk_image_set_from_paintable (image, GDK_PAINTABLE (texture));
}

/**
 * xi_asset_thumbnail_show:
 * @image: where to show it
 * @asset: (nullable): the asset, or %NULL for none
 * @size: the side of the square it fits in, in pixels
 * @cancellable: (nullable): stops decoding the preview
 *
 * Shows the kind's icon at once, then the picture's preview once decoded.
 */
void
xi_asset_thumbnail_show (GtkImage     *image,
                         XiAsset      *asset,
                         int           size,
                         GCancellable *cancellable)
{
  g_autoptr(GTask) task = NULL;
  gboolean picture;

  g_return_if_fail (GTK_IS_IMAGE (image));

  picture = asset != NULL && xi_asset_get_kind (asset) == XI_ASSET_KIND_IMAGE;
  gtk_image_set_from_icon_name (image, asset == NULL ? "mail-attachment-symbolic"
                                       : picture ? "image-x-generic-symbolic" : "x-office-document-symbolic");
  gtk_image_set_pixel_size (image, size);
  if (!picture || xi_asset_get_path (asset) == NULL)
    return;

  task = g_task_new (NULL, cancellable, thumbnail_loaded_cb, g_object_ref (image));
  g_task_set_source_tag (task, xi_asset_thumbnail_show);
  /* Twice the size: sharp on a high-density screen. */
  g_object_set_data (G_OBJECT (task), "size", GINT_TO_POINTER (2 * size));
  g_task_set_task_data (task, g_strdup (xi_asset_get_path (asset)), g_free);
  g_task_run_in_thread (task, thumbnail_thread);
}

/**
 * xi_asset_thumbnail_new:
 * @asset: the asset
 * @size: the side of the square it fits in, in pixels
 * @cancellable: (nullable): stops decoding the preview
 *
 * Returns: (transfer floating): a #GtkImage showing it
 */
GtkWidget *
xi_asset_thumbnail_new (XiAsset      *asset,
                        int           size,
                        GCancellable *cancellable)
{
  GtkWidget *image = gtk_image_new ();

  xi_asset_thumbnail_show (GTK_IMAGE (image), asset, size, cancellable);
  return image;
}

/**
 * xi_asset_thumbnail_describe:
 * @asset: the asset
 *
 * Returns: (transfer full): its size and kind, as a row's subtitle
 */
char *
xi_asset_thumbnail_describe (XiAsset *asset)
{
  g_autofree char *size = g_format_size (xi_asset_get_size (asset));

  if (xi_asset_get_path (asset) == NULL)
    /* Translators: an asset's size, for one another computer of the account added */
    return g_strdup_printf (_("%s — not on this computer"), size);
  /* Translators: an asset's size and kind, e.g. "1.2 MB — Picture" */
  return g_strdup_printf (_("%s — %s"), size,
                          xi_asset_get_kind (asset) == XI_ASSET_KIND_IMAGE ? _("Picture") : _("Document"));
}
