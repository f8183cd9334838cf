/* wa-frame.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _WaFrameReader WaFrameReader;

GBytes        *wa_frame_encode        (const guint8   *payload,
                                       gsize           len,
                                       gboolean        with_header,
                                       GError        **error);
WaFrameReader *wa_frame_reader_new    (gboolean        expect_header);
void           wa_frame_reader_free   (WaFrameReader  *self);
gboolean       wa_frame_reader_push   (WaFrameReader  *self,
                                       const guint8   *data,
                                       gsize           len,
                                       GError        **error);
GBytes        *wa_frame_reader_pop    (WaFrameReader  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WaFrameReader, wa_frame_reader_free)

G_END_DECLS
