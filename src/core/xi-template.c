/* xi-template.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-template"

#include "config.h"

#include "xi-template-private.h"

/* A message template with its variants (one is picked per recipient).
 * Built by the store thread, owned by the main thread afterwards. */
struct _XiTemplate
{
  GObject   parent_instance;

  char     *id;
  char     *name;
  char    **variants;
  char     *asset_id;   /* the one attachment, or NULL */
  char     *updated_at;
  gint64    version;
};

G_DEFINE_FINAL_TYPE (XiTemplate, xi_template, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_N_VARIANTS,
  PROP_ASSET_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
xi_template_finalize (GObject *object)
{
  XiTemplate *self = (XiTemplate *)object;

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->variants, g_strfreev);
  g_clear_pointer (&self->asset_id, g_free);
  g_clear_pointer (&self->updated_at, g_free);

  G_OBJECT_CLASS (xi_template_parent_class)->finalize (object);
}

static void
xi_template_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  XiTemplate *self = XI_TEMPLATE (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_N_VARIANTS:
      g_value_set_uint (value, g_strv_length (self->variants));
      break;
    case PROP_ASSET_ID:
      g_value_set_string (value, self->asset_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xi_template_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  XiTemplate *self = XI_TEMPLATE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      xi_template_set_name (self, g_value_get_string (value));
      break;
    case PROP_ASSET_ID:
      xi_template_set_asset_id (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xi_template_class_init (XiTemplateClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = xi_template_finalize;
  object_class->get_property = xi_template_get_property;
  object_class->set_property = xi_template_set_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_N_VARIANTS] =
    g_param_spec_uint ("n-variants", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_ASSET_ID] =
    g_param_spec_string ("asset-id", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
xi_template_init (XiTemplate *self)
{
  self->variants = g_new0 (char *, 1);
}

XiTemplate *
xi_template_new (const char *name)
{
  return g_object_new (XI_TYPE_TEMPLATE, "name", name, NULL);
}

XiTemplate *
_xi_template_new_from_store (const char         *id,
                             const char         *name,
                             const char * const *variants,
                             const char         *asset_id,
                             gint64              version,
                             const char         *updated_at)
{
  XiTemplate *self = g_object_new (XI_TYPE_TEMPLATE, NULL);

  self->id = g_strdup (id);
  self->name = g_strdup (name);
  g_strfreev (self->variants);
  self->variants = g_strdupv ((char **)variants);
  if (self->variants == NULL)
    self->variants = g_new0 (char *, 1);
  self->asset_id = g_strdup (asset_id);
  self->version = version;
  self->updated_at = g_strdup (updated_at);

  return self;
}

/**
 * xi_template_copy:
 * @self: a #XiTemplate
 *
 * Returns: (transfer full): a copy that can be handed to the store thread
 */
XiTemplate *
xi_template_copy (XiTemplate *self)
{
  g_return_val_if_fail (XI_IS_TEMPLATE (self), NULL);

  return _xi_template_new_from_store (self->id, self->name,
                                      (const char * const *)self->variants,
                                      self->asset_id, self->version, self->updated_at);
}

void
xi_template_update_from (XiTemplate *self,
                         XiTemplate *saved)
{
  g_return_if_fail (XI_IS_TEMPLATE (self));
  g_return_if_fail (XI_IS_TEMPLATE (saved));

  g_object_freeze_notify (G_OBJECT (self));
  if (g_strcmp0 (self->id, saved->id) != 0)
    {
      g_free (self->id);
      self->id = g_strdup (saved->id);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID]);
    }
  xi_template_set_name (self, saved->name);
  xi_template_set_variants (self, (const char * const *)saved->variants);
  xi_template_set_asset_id (self, saved->asset_id);
  self->version = saved->version;
  g_free (self->updated_at);
  self->updated_at = g_strdup (saved->updated_at);
  g_object_thaw_notify (G_OBJECT (self));
}

const char *
xi_template_get_id (XiTemplate *self)
{
  g_return_val_if_fail (XI_IS_TEMPLATE (self), NULL);
  return self->id;
}

const char *
xi_template_get_name (XiTemplate *self)
{
  g_return_val_if_fail (XI_IS_TEMPLATE (self), NULL);
  return self->name;
}

void
xi_template_set_name (XiTemplate *self,
                      const char *name)
{
  g_return_if_fail (XI_IS_TEMPLATE (self));

  if (g_strcmp0 (self->name, name) == 0)
    return;
  g_free (self->name);
  self->name = g_strdup (name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

const char * const *
xi_template_get_variants (XiTemplate *self)
{
  g_return_val_if_fail (XI_IS_TEMPLATE (self), NULL);
  return (const char * const *)self->variants;
}

void
xi_template_set_variants (XiTemplate         *self,
                          const char * const *variants)
{
  static const char *none[] = { NULL };

  g_return_if_fail (XI_IS_TEMPLATE (self));

  if (variants == NULL)
    variants = none;
  if (g_strv_equal ((const char * const *)self->variants, variants))
    return;

  g_strfreev (self->variants);
  self->variants = g_strdupv ((char **)variants);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_VARIANTS]);
}

guint
xi_template_get_n_variants (XiTemplate *self)
{
  g_return_val_if_fail (XI_IS_TEMPLATE (self), 0);
  return g_strv_length (self->variants);
}

gint64
xi_template_get_version (XiTemplate *self)
{
  g_return_val_if_fail (XI_IS_TEMPLATE (self), 0);
  return self->version;
}

const char *
xi_template_get_updated_at (XiTemplate *self)
{
  g_return_val_if_fail (XI_IS_TEMPLATE (self), NULL);
  return self->updated_at;
}

/**
 * xi_template_get_asset_id:
 * @self: a #XiTemplate
 *
 * Returns: (nullable): the asset sent with every message: a picture with
 *   the text as its caption, or a document
 */
const char *
xi_template_get_asset_id (XiTemplate *self)
{
  g_return_val_if_fail (XI_IS_TEMPLATE (self), NULL);
  return self->asset_id;
}

void
xi_template_set_asset_id (XiTemplate *self,
                          const char *asset_id)
{
  g_return_if_fail (XI_IS_TEMPLATE (self));

  if (g_strcmp0 (self->asset_id, asset_id) == 0)
    return;
  g_free (self->asset_id);
  self->asset_id = g_strdup (asset_id);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ASSET_ID]);
}
