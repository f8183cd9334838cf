/* xi-group.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-group"

#include "config.h"

#include "xi-group-private.h"

/* A contact group. Same threading rule as XiContact: built by the store
 * thread, owned by the main thread afterwards. */
struct _XiGroup
{
  GObject  parent_instance;

  char    *id;
  char    *name;
  char    *description;
  char    *colour;
  gint64   version;
  guint    member_count;
};

G_DEFINE_FINAL_TYPE (XiGroup, xi_group, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_DESCRIPTION,
  PROP_COLOUR,
  PROP_MEMBER_COUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
set_string (char       **field,
            const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static void
xi_group_finalize (GObject *object)
{
  XiGroup *self = (XiGroup *)object;

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->description, g_free);
  g_clear_pointer (&self->colour, g_free);

  G_OBJECT_CLASS (xi_group_parent_class)->finalize (object);
}

static void
xi_group_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  XiGroup *self = XI_GROUP (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_DESCRIPTION:
      g_value_set_string (value, self->description);
      break;
    case PROP_COLOUR:
      g_value_set_string (value, self->colour);
      break;
    case PROP_MEMBER_COUNT:
      g_value_set_uint (value, self->member_count);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xi_group_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  XiGroup *self = XI_GROUP (object);

  switch (prop_id)
    {
    case PROP_NAME:
      xi_group_set_name (self, g_value_get_string (value));
      break;
    case PROP_DESCRIPTION:
      xi_group_set_description (self, g_value_get_string (value));
      break;
    case PROP_COLOUR:
      xi_group_set_colour (self, g_value_get_string (value));
      break;
    case PROP_MEMBER_COUNT:
      xi_group_set_member_count (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xi_group_class_init (XiGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = xi_group_finalize;
  object_class->get_property = xi_group_get_property;
  object_class->set_property = xi_group_set_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_DESCRIPTION] =
    g_param_spec_string ("description", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_COLOUR] =
    g_param_spec_string ("colour", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_MEMBER_COUNT] =
    g_param_spec_uint ("member-count", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
xi_group_init (XiGroup *self)
{
}

XiGroup *
xi_group_new (const char *name)
{
  return g_object_new (XI_TYPE_GROUP, "name", name, NULL);
}

XiGroup *
_xi_group_new_from_store (const char *id,
                          const char *name,
                          const char *description,
                          const char *colour,
                          guint       member_count,
                          gint64      version)
{
  XiGroup *self = g_object_new (XI_TYPE_GROUP, NULL);

  self->id = g_strdup (id);
  self->name = g_strdup (name);
  self->description = g_strdup (description);
  self->colour = g_strdup (colour);
  self->member_count = member_count;
  self->version = version;

  return self;
}

/**
 * xi_group_copy:
 * @self: a #XiGroup
 *
 * Returns: (transfer full): a copy that can be handed to the store thread
 */
XiGroup *
xi_group_copy (XiGroup *self)
{
  g_return_val_if_fail (XI_IS_GROUP (self), NULL);

  return _xi_group_new_from_store (self->id, self->name, self->description,
                                   self->colour, self->member_count, self->version);
}

void
xi_group_update_from (XiGroup *self,
                      XiGroup *saved)
{
  g_return_if_fail (XI_IS_GROUP (self));
  g_return_if_fail (XI_IS_GROUP (saved));

  g_object_freeze_notify (G_OBJECT (self));
  if (set_string (&self->id, saved->id))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID]);
  xi_group_set_name (self, saved->name);
  xi_group_set_description (self, saved->description);
  xi_group_set_colour (self, saved->colour);
  xi_group_set_member_count (self, saved->member_count);
  self->version = saved->version;
  g_object_thaw_notify (G_OBJECT (self));
}

const char *
xi_group_get_id (XiGroup *self)
{
  g_return_val_if_fail (XI_IS_GROUP (self), NULL);
  return self->id;
}

const char *
xi_group_get_name (XiGroup *self)
{
  g_return_val_if_fail (XI_IS_GROUP (self), NULL);
  return self->name;
}

void
xi_group_set_name (XiGroup    *self,
                   const char *name)
{
  g_return_if_fail (XI_IS_GROUP (self));
  if (set_string (&self->name, name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

const char *
xi_group_get_description (XiGroup *self)
{
  g_return_val_if_fail (XI_IS_GROUP (self), NULL);
  return self->description;
}

void
xi_group_set_description (XiGroup    *self,
                          const char *description)
{
  g_return_if_fail (XI_IS_GROUP (self));
  if (set_string (&self->description, description))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DESCRIPTION]);
}

const char *
xi_group_get_colour (XiGroup *self)
{
  g_return_val_if_fail (XI_IS_GROUP (self), NULL);
  return self->colour;
}

void
xi_group_set_colour (XiGroup    *self,
                     const char *colour)
{
  g_return_if_fail (XI_IS_GROUP (self));
  if (set_string (&self->colour, colour))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COLOUR]);
}

guint
xi_group_get_member_count (XiGroup *self)
{
  g_return_val_if_fail (XI_IS_GROUP (self), 0);
  return self->member_count;
}

void
xi_group_set_member_count (XiGroup *self,
                           guint    member_count)
{
  g_return_if_fail (XI_IS_GROUP (self));
  if (self->member_count == member_count)
    return;
  self->member_count = member_count;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MEMBER_COUNT]);
}

gint64
xi_group_get_version (XiGroup *self)
{
  g_return_val_if_fail (XI_IS_GROUP (self), 0);
  return self->version;
}
