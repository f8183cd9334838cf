/* xi-segment.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-segment"

#include "config.h"

#include "xi-segment.h"

G_DEFINE_BOXED_TYPE (XiSegment, xi_segment, xi_segment_copy, xi_segment_free)

/**
 * xi_segment_new:
 * @id: the row's id
 * @name: the segment's name
 * @conditions: (array zero-terminated=1): its conditions
 *
 * Returns: (transfer full): a new segment
 */
XiSegment *
xi_segment_new (const char         *id,
                const char         *name,
                const char * const *conditions)
{
  XiSegment *self = g_new0 (XiSegment, 1);

  self->id = g_strdup (id);
  self->name = g_strdup (name);
  self->conditions = g_strdupv ((char **)conditions);
  return self;
}

/**
 * xi_segment_copy:
 * @self: a segment
 *
 * Returns: (transfer full): a copy of @self
 */
XiSegment *
xi_segment_copy (const XiSegment *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return xi_segment_new (self->id, self->name, (const char * const *)self->conditions);
}

/**
 * xi_segment_free:
 * @self: (transfer full): a segment
 */
void
xi_segment_free (XiSegment *self)
{
  if (self == NULL)
    return;
  g_free (self->id);
  g_free (self->name);
  g_strfreev (self->conditions);
  g_free (self);
}

/**
 * xi_segment_get_filter:
 * @self: a segment
 * @error: return location for a %XI_STORE_ERROR_INVALID error, when a
 *   newer version saved a condition this one cannot read
 *
 * Returns: (transfer full) (nullable): a new filter with @self's conditions
 */
XiContactFilter *
xi_segment_get_filter (const XiSegment  *self,
                       GError          **error)
{
  g_return_val_if_fail (self != NULL, NULL);
  return xi_contact_filter_new_from_conditions ((const char * const *)self->conditions, error);
}

/**
 * xi_segment_describe:
 * @self: a segment
 *
 * Returns: (transfer full): the conditions joined by spaces, as they
 *   would be typed, for a list or a campaign's plan
 */
char *
xi_segment_describe (const XiSegment *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return g_strjoinv (" ", self->conditions);
}

/**
 * xi_segment_add_members:
 * @self: a segment
 * @builder: a builder inside an object
 *
 * Adds the members "id", "name" and "conditions" (an array of strings),
 * as the CLI lists a segment and a campaign made for it records it.
 */
void
xi_segment_add_members (const XiSegment *self,
                        JsonBuilder     *builder)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (JSON_IS_BUILDER (builder));

  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, self->id);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, self->name);
  json_builder_set_member_name (builder, "conditions");
  json_builder_begin_array (builder);
  for (guint i = 0; self->conditions[i] != NULL; i++)
    json_builder_add_string_value (builder, self->conditions[i]);
  json_builder_end_array (builder);
}
