/* xi-image-decoder.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* How long a helper may take over one picture, and how many run at once. */
#define XI_IMAGE_DECODER_TIMEOUT_MS  3000
#define XI_IMAGE_DECODER_MAX_RUNNING 2

#define XI_TYPE_IMAGE_DECODER (xi_image_decoder_get_type ())

G_DECLARE_FINAL_TYPE (XiImageDecoder, xi_image_decoder, XI, IMAGE_DECODER, GObject)

XiImageDecoder *xi_image_decoder_new                (const char * const  *argv);
char           *xi_image_decoder_dup_helper_path    (void);
void            xi_image_decoder_decode_async       (XiImageDecoder      *self,
                                                     const char          *key,
                                                     GBytes              *data,
                                                     const char          *path,
                                                     int                  max_side,
                                                     gint64               max_pixels,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
GdkTexture     *xi_image_decoder_decode_finish      (XiImageDecoder      *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);
guint           xi_image_decoder_get_n_spawned      (XiImageDecoder      *self);

G_END_DECLS
