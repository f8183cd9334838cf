/* xi-media-bubble.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "xi-campaign-runner.h"
#include "xi-image-decoder.h"

G_BEGIN_DECLS

#define XI_TYPE_MEDIA_BUBBLE (xi_media_bubble_get_type ())

G_DECLARE_FINAL_TYPE (XiMediaBubble, xi_media_bubble, XI, MEDIA_BUBBLE, GtkWidget)

GtkWidget  *xi_media_bubble_new          (XiIncoming       *incoming,
                                          XiCampaignRunner *runner,
                                          XiImageDecoder   *decoder);
XiIncoming *xi_media_bubble_get_incoming (XiMediaBubble    *self);
const char *xi_media_bubble_get_status   (XiMediaBubble    *self);
gboolean    xi_media_bubble_has_preview  (XiMediaBubble    *self);

G_END_DECLS
