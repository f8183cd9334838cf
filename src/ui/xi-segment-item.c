/* xi-segment-item.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-segment-item"

#include "config.h"

#include "xi-segment-item.h"

/*
 * A saved segment in a list model, beside the groups: it has the "id"
 * and "name" properties a XiGroup has, so one combo row and one lookup
 * by id serve both kinds of audience. The segments' facade keeps one
 * item per segment and updates it in place when sync or another process
 * renames or redefines it, so rows bound to it follow.
 */

struct _XiSegmentItem
{
  GObject    parent_instance;

  XiSegment *segment;
};

G_DEFINE_FINAL_TYPE (XiSegmentItem, xi_segment_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_CONDITIONS,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

static void
xi_segment_item_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  XiSegmentItem *self = XI_SEGMENT_ITEM (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->segment->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->segment->name);
      break;
    case PROP_CONDITIONS:
      g_value_set_boxed (value, self->segment->conditions);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xi_segment_item_finalize (GObject *object)
{
  XiSegmentItem *self = XI_SEGMENT_ITEM (object);

  xi_segment_free (self->segment);

  G_OBJECT_CLASS (xi_segment_item_parent_class)->finalize (object);
}

static void
xi_segment_item_class_init (XiSegmentItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = xi_segment_item_get_property;
  object_class->finalize = xi_segment_item_finalize;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL,
                                             G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL,
                                               G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONDITIONS] = g_param_spec_boxed ("conditions", NULL, NULL, G_TYPE_STRV,
                                                    G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
xi_segment_item_init (XiSegmentItem *self)
{
}

/**
 * xi_segment_item_new:
 * @segment: the segment, copied
 *
 * Returns: (transfer full): a new item
 */
XiSegmentItem *
xi_segment_item_new (const XiSegment *segment)
{
  XiSegmentItem *self;

  g_return_val_if_fail (segment != NULL, NULL);

  self = g_object_new (XI_TYPE_SEGMENT_ITEM, NULL);
  self->segment = xi_segment_copy (segment);
  return self;
}

/**
 * xi_segment_item_get_segment:
 * @self: a #XiSegmentItem
 *
 * Returns: (transfer none): the segment
 */
const XiSegment *
xi_segment_item_get_segment (XiSegmentItem *self)
{
  g_return_val_if_fail (XI_IS_SEGMENT_ITEM (self), NULL);
  return self->segment;
}

/**
 * xi_segment_item_get_id:
 * @self: a #XiSegmentItem
 *
 * Returns: the segment's id
 */
const char *
xi_segment_item_get_id (XiSegmentItem *self)
{
  g_return_val_if_fail (XI_IS_SEGMENT_ITEM (self), NULL);
  return self->segment->id;
}

/**
 * xi_segment_item_update_from:
 * @self: a #XiSegmentItem a model holds
 * @newer: a newer copy of the same segment, as the store read it
 *
 * Takes @newer's segment, notifying only the properties whose value
 * changed, so that a row showing @self follows a rename pulled by sync
 * without being made again.
 */
void
xi_segment_item_update_from (XiSegmentItem *self,
                             XiSegmentItem *newer)
{
  XiSegment *old;

  g_return_if_fail (XI_IS_SEGMENT_ITEM (self));
  g_return_if_fail (XI_IS_SEGMENT_ITEM (newer));

  old = self->segment;
  self->segment = xi_segment_copy (newer->segment);
  g_object_freeze_notify (G_OBJECT (self));
  if (g_strcmp0 (old->id, self->segment->id) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID]);
  if (g_strcmp0 (old->name, self->segment->name) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
  if (!g_strv_equal ((const char * const *)old->conditions, (const char * const *)self->segment->conditions))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONDITIONS]);
  g_object_thaw_notify (G_OBJECT (self));
  xi_segment_free (old);
}
