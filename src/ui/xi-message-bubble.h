/* xi-message-bubble.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "xi-campaign-runner.h"
#include "xi-chat-message.h"
#include "xi-image-decoder.h"

G_BEGIN_DECLS

#define XI_TYPE_MESSAGE_BUBBLE (xi_message_bubble_get_type ())

G_DECLARE_FINAL_TYPE (XiMessageBubble, xi_message_bubble, XI, MESSAGE_BUBBLE, GtkWidget)

GtkWidget     *xi_message_bubble_new         (XiChatMessage    *message,
                                              XiCampaignRunner *runner,
                                              XiImageDecoder   *decoder);
XiChatMessage *xi_message_bubble_get_message (XiMessageBubble *self);
const char    *xi_message_bubble_get_ticks   (XiMessageBubble *self);

G_END_DECLS
