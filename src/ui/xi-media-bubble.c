/* xi-media-bubble.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-media-bubble"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "xi-media-bubble.h"
#include "xi-media-preview.h"

/*
 * The picture, video, voice note or file in a customer's message, inside
 * its Inbox bubble: a preview (the downloaded picture, else the sender's
 * small thumbnail) or an icon for its kind, its name and size, and Open
 * and Save…. The picture is decoded by the context's XiImageDecoder, in
 * a process of its own; whatever goes wrong there leaves the icon, as
 * for a file that is no picture. A file not downloaded yet (larger than the automatic limit,
 * or whose download failed) is fetched through the runner when asked
 * for; what cannot be fetched or does not verify is said under it.
 */

#define PREVIEW_SIDE 280

struct _XiMediaBubble
{
  GtkWidget         parent_instance;

  /* Template widgets */
  GtkWidget        *box;
  GtkPicture       *preview;
  GtkImage         *icon;
  GtkLabel         *name_label;
  GtkLabel         *details_label;
  GtkLabel         *status_label;

  /* Owned */
  XiIncoming       *incoming;
  XiCampaignRunner *runner;     /* nullable: without it nothing downloads */
  XiImageDecoder   *decoder;
  GCancellable     *cancellable;
  GtkNativeDialog  *chooser;
  GFile            *save_to;    /* chosen, waiting for the download */
  gboolean          open_after; /* Open was asked, waiting for the download */
  gboolean          downloading;
};

G_DEFINE_FINAL_TYPE (XiMediaBubble, xi_media_bubble, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_INCOMING,
  PROP_RUNNER,
  PROP_DECODER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void finish_pending (XiMediaBubble *self);

/* Auxiliary methods */

static const XiMediaInfo *
media (XiMediaBubble *self)
{
  return xi_incoming_get_media (self->incoming);
}

static const char *
kind_icon (const char *kind)
{
  if (g_strcmp0 (kind, "image") == 0 || g_strcmp0 (kind, "sticker") == 0)
    return "image-x-generic-symbolic";
  if (g_strcmp0 (kind, "video") == 0)
    return "video-x-generic-symbolic";
  if (g_strcmp0 (kind, "audio") == 0)
    return "audio-x-generic-symbolic";
  return "x-office-document-symbolic";
}

static void
set_status (XiMediaBubble *self,
            const char    *text,
            gboolean       is_error)
{
  gtk_label_set_text (self->status_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), text != NULL);
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
}

static void
preview_decoded_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  XiMediaBubble *self;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;

  texture = xi_image_decoder_decode_finish (XI_IMAGE_DECODER (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = user_data;
  if (texture == NULL)
    {
      g_debug ("No preview for a received picture: %s", error->message);
      return;
    }
  gtk_picture_set_paintable (self->preview, GDK_PAINTABLE (texture));
  gtk_widget_set_size_request (GTK_WIDGET (self->preview), gdk_texture_get_width (texture),
                               gdk_texture_get_height (texture));
  gtk_widget_set_visible (GTK_WIDGET (self->preview), TRUE);
}

static void
update_preview (XiMediaBubble *self)
{
  const XiMediaInfo *info = media (self);
  gboolean picture = g_strcmp0 (info->kind, "image") == 0 || g_strcmp0 (info->kind, "sticker") == 0;

  if (picture && info->asset_path != NULL)
    {
      g_autofree char *key = g_strconcat ("picture:", info->asset_path, NULL);

      xi_image_decoder_decode_async (self->decoder, key, NULL, info->asset_path, PREVIEW_SIDE,
                                     XI_MEDIA_PREVIEW_PICTURE_MAX_PIXELS, self->cancellable, preview_decoded_cb,
                                     self);
    }
  else if (info->thumbnail != NULL)
    {
      g_autofree char *key = g_strconcat ("thumbnail:", xi_incoming_get_id (self->incoming), NULL);

      xi_image_decoder_decode_async (self->decoder, key, info->thumbnail, NULL, PREVIEW_SIDE,
                                     XI_MEDIA_PREVIEW_THUMBNAIL_MAX_PIXELS, self->cancellable, preview_decoded_cb,
                                     self);
    }
}

static void
update_view (XiMediaBubble *self)
{
  const XiMediaInfo *info = media (self);
  g_autofree char *name = xi_media_info_dup_display_name (info);
  g_autofree char *size = g_format_size (info->size);
  /* "audio/ogg; codecs=opus": the type is what comes before the
   * parameters. */
  g_autofree char *mimetype = info->mimetype != NULL ? g_strndup (info->mimetype, strcspn (info->mimetype, "; "))
                                                     : NULL;
  g_autofree char *content_type = mimetype != NULL ? g_content_type_from_mime_type (mimetype) : NULL;
  g_autofree char *description = content_type != NULL ? g_content_type_get_description (content_type) : NULL;
  g_autofree char *details = NULL;

  gtk_image_set_from_icon_name (self->icon, kind_icon (info->kind));
  gtk_label_set_text (self->name_label, name);
  if (description != NULL)
    /* Translators: a file's type ("PDF document") and its size ("6.0 MB") */
    details = g_strdup_printf (C_("media details", "%s · %s"), description, size);
  else
    details = g_steal_pointer (&size);
  if (info->asset_path == NULL)
    {
      g_autofree char *shown = g_steal_pointer (&details);

      /* Translators: %s is a file's type and size; it is still on WhatsApp's servers */
      details = g_strdup_printf (_("%s · not downloaded"), shown);
    }
  gtk_label_set_text (self->details_label, details);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "media.open", !self->downloading);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "media.save", !self->downloading && self->chooser == NULL);
}

static GtkWindow *
parent_window (XiMediaBubble *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

/* Callbacks */

static void
downloaded_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  XiMediaBubble *self;
  g_autoptr(GError) error = NULL;
  g_autoptr(XiIncoming) saved = xi_campaign_runner_download_media_finish (XI_CAMPAIGN_RUNNER (object), result,
                                                                          &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = user_data;
  self->downloading = FALSE;
  if (saved == NULL)
    {
      self->open_after = FALSE;
      g_clear_object (&self->save_to);
      set_status (self, error->message, TRUE);
      update_view (self);
      return;
    }
  g_set_object (&self->incoming, saved);
  set_status (self, NULL, FALSE);
  update_view (self);
  update_preview (self);
  finish_pending (self);
}

static void
opened_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!gtk_show_uri_full_finish (GTK_WINDOW (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autoptr(XiMediaBubble) self = user_data;
      g_autofree char *text =
        /* Translators: %s says why */
        g_strdup_printf (_("Could not open the file: %s"), error->message);

      set_status (self, text, TRUE);
      return;
    }
  g_object_unref (user_data);
}

static void
copied_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  XiMediaBubble *self;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *shown = NULL;

  if (!g_file_copy_finish (G_FILE (object), result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = user_data;
  if (error != NULL)
    {
      /* Translators: %s says why */
      text = g_strdup_printf (_("Could not save the file: %s"), error->message);
      set_status (self, text, TRUE);
      return;
    }
  shown = g_file_get_parse_name (self->save_to);
  /* Translators: %s is where the file was saved */
  text = g_strdup_printf (_("Saved to %s"), shown);
  set_status (self, text, FALSE);
  g_clear_object (&self->save_to);
}

/* What Open or Save… waited for, now that the file is here. */
static void
finish_pending (XiMediaBubble *self)
{
  const XiMediaInfo *info = media (self);
  g_autoptr(GFile) asset = g_file_new_for_path (info->asset_path);

  if (self->open_after && parent_window (self) != NULL)
    {
      g_autofree char *uri = g_file_get_uri (asset);

      gtk_show_uri_full (parent_window (self), uri, GDK_CURRENT_TIME, self->cancellable, opened_cb,
                         g_object_ref (self));
    }
  self->open_after = FALSE;
  if (self->save_to != NULL)
    g_file_copy_async (asset, self->save_to, G_FILE_COPY_OVERWRITE, G_PRIORITY_DEFAULT, self->cancellable,
                       NULL, NULL, copied_cb, self);
}

/* Runs finish_pending () once the file is downloaded, downloading it
 * first when need be. */
static void
when_downloaded (XiMediaBubble *self)
{
  if (media (self)->asset_path != NULL)
    {
      finish_pending (self);
      return;
    }
  if (self->downloading)
    return;
  if (self->runner == NULL)
    {
      set_status (self, _("The file can be downloaded once Xender-In is connected to WhatsApp."), TRUE);
      self->open_after = FALSE;
      g_clear_object (&self->save_to);
      return;
    }
  self->downloading = TRUE;
  set_status (self, _("Downloading…"), FALSE);
  update_view (self);
  xi_campaign_runner_download_media_async (self->runner, self->incoming, self->cancellable, downloaded_cb, self);
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  XiMediaBubble *self = XI_MEDIA_BUBBLE (widget);

  self->open_after = TRUE;
  when_downloaded (self);
}

static void
save_chosen_cb (XiMediaBubble        *self,
                int                   response,
                GtkFileChooserNative *chooser)
{
  g_autoptr(GtkNativeDialog) dialog = g_steal_pointer (&self->chooser);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_clear_object (&self->save_to);
      self->save_to = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      when_downloaded (self);
    }
  update_view (self);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  XiMediaBubble *self = XI_MEDIA_BUBBLE (widget);
  g_autofree char *name = xi_media_info_dup_display_name (media (self));
  GtkFileChooserNative *chooser;

  if (self->chooser != NULL)
    return;
  /* A document's name is the customer's: no folder may come with it. */
  g_strdelimit (name, "/\\", '-');
  chooser = gtk_file_chooser_native_new (_("Save File"), parent_window (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (save_chosen_cb), self, G_CONNECT_SWAPPED);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  update_view (self);
  gtk_native_dialog_show (self->chooser);
}

/* Life cycle */

static void
xi_media_bubble_constructed (GObject *object)
{
  XiMediaBubble *self = XI_MEDIA_BUBBLE (object);

  G_OBJECT_CLASS (xi_media_bubble_parent_class)->constructed (object);

  update_view (self);
  update_preview (self);
}

static void
xi_media_bubble_dispose (GObject *object)
{
  XiMediaBubble *self = XI_MEDIA_BUBBLE (object);

  g_cancellable_cancel (self->cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), XI_TYPE_MEDIA_BUBBLE);

  G_OBJECT_CLASS (xi_media_bubble_parent_class)->dispose (object);
}

static void
xi_media_bubble_finalize (GObject *object)
{
  XiMediaBubble *self = XI_MEDIA_BUBBLE (object);

  g_clear_object (&self->incoming);
  g_clear_object (&self->runner);
  g_clear_object (&self->decoder);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->save_to);

  G_OBJECT_CLASS (xi_media_bubble_parent_class)->finalize (object);
}

static void
xi_media_bubble_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  XiMediaBubble *self = XI_MEDIA_BUBBLE (object);

  switch (prop_id)
    {
    case PROP_INCOMING:
      g_value_set_object (value, self->incoming);
      break;
    case PROP_RUNNER:
      g_value_set_object (value, self->runner);
      break;
    case PROP_DECODER:
      g_value_set_object (value, self->decoder);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xi_media_bubble_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  XiMediaBubble *self = XI_MEDIA_BUBBLE (object);

  switch (prop_id)
    {
    case PROP_INCOMING:
      self->incoming = g_value_dup_object (value);
      break;
    case PROP_RUNNER:
      self->runner = g_value_dup_object (value);
      break;
    case PROP_DECODER:
      self->decoder = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xi_media_bubble_class_init (XiMediaBubbleClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = xi_media_bubble_constructed;
  object_class->dispose = xi_media_bubble_dispose;
  object_class->finalize = xi_media_bubble_finalize;
  object_class->get_property = xi_media_bubble_get_property;
  object_class->set_property = xi_media_bubble_set_property;

  properties[PROP_INCOMING] =
    g_param_spec_object ("incoming", NULL, NULL, XI_TYPE_INCOMING,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RUNNER] =
    g_param_spec_object ("runner", NULL, NULL, XI_TYPE_CAMPAIGN_RUNNER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DECODER] =
    g_param_spec_object ("decoder", NULL, NULL, XI_TYPE_IMAGE_DECODER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/xenderin/XenderIn/xi-media-bubble.ui");
  gtk_widget_class_bind_template_child (widget_class, XiMediaBubble, box);
  gtk_widget_class_bind_template_child (widget_class, XiMediaBubble, preview);
  gtk_widget_class_bind_template_child (widget_class, XiMediaBubble, icon);
  gtk_widget_class_bind_template_child (widget_class, XiMediaBubble, name_label);
  gtk_widget_class_bind_template_child (widget_class, XiMediaBubble, details_label);
  gtk_widget_class_bind_template_child (widget_class, XiMediaBubble, status_label);
  gtk_widget_class_install_action (widget_class, "media.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "media.save", NULL, save_action);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
xi_media_bubble_init (XiMediaBubble *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* Public API */

/**
 * xi_media_bubble_new:
 * @incoming: a customer's message that carries a file
 * @runner: (nullable): what downloads it when it is not kept yet
 * @decoder: what decodes its picture
 *
 * Returns: (transfer full): a new #XiMediaBubble
 */
GtkWidget *
xi_media_bubble_new (XiIncoming       *incoming,
                     XiCampaignRunner *runner,
                     XiImageDecoder   *decoder)
{
  g_return_val_if_fail (XI_IS_INCOMING (incoming) && xi_incoming_get_media (incoming) != NULL, NULL);
  g_return_val_if_fail (runner == NULL || XI_IS_CAMPAIGN_RUNNER (runner), NULL);
  g_return_val_if_fail (XI_IS_IMAGE_DECODER (decoder), NULL);

  return g_object_new (XI_TYPE_MEDIA_BUBBLE, "incoming", incoming, "runner", runner, "decoder", decoder, NULL);
}

/**
 * xi_media_bubble_get_incoming:
 *
 * Returns: (transfer none): the message, with its media as last known
 */
XiIncoming *
xi_media_bubble_get_incoming (XiMediaBubble *self)
{
  g_return_val_if_fail (XI_IS_MEDIA_BUBBLE (self), NULL);
  return self->incoming;
}

/**
 * xi_media_bubble_get_status:
 *
 * Returns: what the bubble says under the file (downloading, saved, or
 *   why that failed), or "" when nothing
 */
const char *
xi_media_bubble_get_status (XiMediaBubble *self)
{
  g_return_val_if_fail (XI_IS_MEDIA_BUBBLE (self), NULL);
  return gtk_label_get_text (self->status_label);
}

/**
 * xi_media_bubble_has_preview:
 *
 * Returns: whether a picture is shown rather than an icon alone
 */
gboolean
xi_media_bubble_has_preview (XiMediaBubble *self)
{
  g_return_val_if_fail (XI_IS_MEDIA_BUBBLE (self), FALSE);
  return gtk_widget_get_visible (GTK_WIDGET (self->preview));
}
