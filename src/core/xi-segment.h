/* xi-segment.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "xi-contact-filter.h"

G_BEGIN_DECLS

#define XI_TYPE_SEGMENT (xi_segment_get_type ())

/**
 * XiSegment:
 * @id: the row's id
 * @name: what the user called it, unique ignoring case
 * @conditions: (array zero-terminated=1): the filter's conditions as
 *   xi_contact_filter_get_conditions() gives them
 *
 * A saved filter: an audience that is evaluated anew each time a
 * campaign targets it.
 */
typedef struct
{
  char   *id;
  char   *name;
  char  **conditions;
} XiSegment;

GType             xi_segment_get_type    (void) G_GNUC_CONST;
XiSegment        *xi_segment_new         (const char         *id,
                                          const char         *name,
                                          const char * const *conditions);
XiSegment        *xi_segment_copy        (const XiSegment    *self);
void              xi_segment_free        (XiSegment          *self);
XiContactFilter  *xi_segment_get_filter  (const XiSegment    *self,
                                          GError            **error);
char             *xi_segment_describe    (const XiSegment    *self);
void              xi_segment_add_members (const XiSegment    *self,
                                          JsonBuilder        *builder);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (XiSegment, xi_segment_free)

G_END_DECLS
