/* xi-store-media.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "xi-core-types.h"
#include "xi-incoming.h"
#include "xi-media-info.h"

G_BEGIN_DECLS

/* Included by xi-store.h: received media (xi-store-media.c). */

void        xi_store_record_incoming_media_async  (XiStore             *self,
                                                   const char          *phone,
                                                   const char          *message_id,
                                                   const char          *caption,
                                                   const char          *opt_out_keyword,
                                                   const XiMediaInfo   *media,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
void        xi_store_get_incoming_async           (XiStore             *self,
                                                   const char          *message_id,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
XiIncoming *xi_store_get_incoming_finish          (XiStore             *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);
void        xi_store_save_incoming_media_async    (XiStore             *self,
                                                   const char          *message_id,
                                                   GBytes              *content,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
XiIncoming *xi_store_save_incoming_media_finish   (XiStore             *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

G_END_DECLS
