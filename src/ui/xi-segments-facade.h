/* xi-segments-facade.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "xi-facade.h"
#include "xi-segment-item.h"

G_BEGIN_DECLS

#define XI_TYPE_SEGMENTS_FACADE (xi_segments_facade_get_type ())

G_DECLARE_FINAL_TYPE (XiSegmentsFacade, xi_segments_facade, XI, SEGMENTS_FACADE, XiFacade)

XiSegmentsFacade *xi_segments_facade_new           (XiStore             *store);
void              xi_segments_facade_add_async     (XiSegmentsFacade    *self,
                                                    const char          *name,
                                                    XiContactFilter     *filter,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
XiSegmentItem    *xi_segments_facade_add_finish    (XiSegmentsFacade    *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);
void              xi_segments_facade_delete_async  (XiSegmentsFacade    *self,
                                                    const char          *segment_id,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
gboolean          xi_segments_facade_delete_finish (XiSegmentsFacade    *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);

G_END_DECLS
