/* xi-suppression.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-suppression"

#include "config.h"

#include "xi-inbox-private.h"

/* Immutable once made by the store, so it may cross threads. */
struct _XiSuppression
{
  GObject   parent_instance;

  char    *phone;
  char    *contact_id;
  char    *contact_name;
  char    *source;
  char    *keyword;
  char    *created_at;
};

G_DEFINE_FINAL_TYPE (XiSuppression, xi_suppression, G_TYPE_OBJECT)

static void
xi_suppression_finalize (GObject *object)
{
  XiSuppression *self = (XiSuppression *)object;

  g_free (self->phone);
  g_free (self->contact_id);
  g_free (self->contact_name);
  g_free (self->source);
  g_free (self->keyword);
  g_free (self->created_at);

  G_OBJECT_CLASS (xi_suppression_parent_class)->finalize (object);
}

static void
xi_suppression_class_init (XiSuppressionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = xi_suppression_finalize;
}

static void
xi_suppression_init (XiSuppression *self)
{
}

XiSuppression *
_xi_suppression_new (const char *phone,
                     const char *contact_id,
                     const char *contact_name,
                     const char *source,
                     const char *keyword,
                     const char *created_at)
{
  XiSuppression *self = g_object_new (XI_TYPE_SUPPRESSION, NULL);

  self->phone = g_strdup (phone);
  self->contact_id = g_strdup (contact_id);
  self->contact_name = g_strdup (contact_name);
  self->source = g_strdup (source);
  self->keyword = g_strdup (keyword);
  self->created_at = g_strdup (created_at);
  return self;
}

/**
 * xi_suppression_get_phone:
 * @self: a #XiSuppression
 *
 * Returns: the number, E.164 digits
 */
const char *
xi_suppression_get_phone (XiSuppression *self)
{
  g_return_val_if_fail (XI_IS_SUPPRESSION (self), NULL);
  return self->phone;
}

/**
 * xi_suppression_get_contact_id:
 * @self: a #XiSuppression
 *
 * Returns: (nullable): the contact with that number, if any
 */
const char *
xi_suppression_get_contact_id (XiSuppression *self)
{
  g_return_val_if_fail (XI_IS_SUPPRESSION (self), NULL);
  return self->contact_id;
}

/**
 * xi_suppression_get_contact_name:
 * @self: a #XiSuppression
 *
 * Returns: (nullable): that contact's name
 */
const char *
xi_suppression_get_contact_name (XiSuppression *self)
{
  g_return_val_if_fail (XI_IS_SUPPRESSION (self), NULL);
  return self->contact_name;
}

/**
 * xi_suppression_get_source:
 * @self: a #XiSuppression
 *
 * Returns: how it got there: "reply", "manual", "import" or "sync"
 */
const char *
xi_suppression_get_source (XiSuppression *self)
{
  g_return_val_if_fail (XI_IS_SUPPRESSION (self), NULL);
  return self->source;
}

/**
 * xi_suppression_get_keyword:
 * @self: a #XiSuppression
 *
 * Returns: (nullable): the reply keyword, for an opt-out by reply
 */
const char *
xi_suppression_get_keyword (XiSuppression *self)
{
  g_return_val_if_fail (XI_IS_SUPPRESSION (self), NULL);
  return self->keyword;
}

/**
 * xi_suppression_get_created_at:
 * @self: a #XiSuppression
 *
 * Returns: when, ISO 8601 UTC
 */
const char *
xi_suppression_get_created_at (XiSuppression *self)
{
  g_return_val_if_fail (XI_IS_SUPPRESSION (self), NULL);
  return self->created_at;
}
