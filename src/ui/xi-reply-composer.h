/* xi-reply-composer.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "xi-connection.h"

G_BEGIN_DECLS

#define XI_TYPE_REPLY_COMPOSER (xi_reply_composer_get_type ())

G_DECLARE_FINAL_TYPE (XiReplyComposer, xi_reply_composer, XI, REPLY_COMPOSER, GtkWidget)

GtkWidget  *xi_reply_composer_new            (void);
void        xi_reply_composer_set_settings   (XiReplyComposer *self,
                                              GSettings       *settings);
void        xi_reply_composer_set_connection (XiReplyComposer *self,
                                              XiConnection    *connection);
void        xi_reply_composer_set_target     (XiReplyComposer *self,
                                              const char      *phone,
                                              gboolean         opted_out,
                                              const char      *reply_to);
char       *xi_reply_composer_dup_text       (XiReplyComposer *self);
void        xi_reply_composer_set_text       (XiReplyComposer *self,
                                              const char      *text);
const char *xi_reply_composer_get_notice     (XiReplyComposer *self);
gboolean    xi_reply_composer_is_sending     (XiReplyComposer *self);
void        xi_reply_composer_focus          (XiReplyComposer *self);

G_END_DECLS
