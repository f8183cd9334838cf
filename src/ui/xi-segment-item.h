/* xi-segment-item.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "xi-segment.h"

G_BEGIN_DECLS

#define XI_TYPE_SEGMENT_ITEM (xi_segment_item_get_type ())

G_DECLARE_FINAL_TYPE (XiSegmentItem, xi_segment_item, XI, SEGMENT_ITEM, GObject)

XiSegmentItem    *xi_segment_item_new          (const XiSegment *segment);
const XiSegment  *xi_segment_item_get_segment  (XiSegmentItem   *self);
const char       *xi_segment_item_get_id       (XiSegmentItem   *self);
void              xi_segment_item_update_from  (XiSegmentItem   *self,
                                                XiSegmentItem   *newer);

G_END_DECLS
