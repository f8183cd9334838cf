/* xi-activity.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-activity"

#include "config.h"

#include "xi-activity-private.h"

struct _XiActivity
{
  GObject  parent_instance;

  char    *kind;
  char    *summary;
  char    *job_id;
  char    *created_at;
};

G_DEFINE_FINAL_TYPE (XiActivity, xi_activity, G_TYPE_OBJECT)

static void
xi_activity_finalize (GObject *object)
{
  XiActivity *self = (XiActivity *)object;

  g_free (self->kind);
  g_free (self->summary);
  g_free (self->job_id);
  g_free (self->created_at);

  G_OBJECT_CLASS (xi_activity_parent_class)->finalize (object);
}

static void
xi_activity_class_init (XiActivityClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = xi_activity_finalize;
}

static void
xi_activity_init (XiActivity *self)
{
}

XiActivity *
_xi_activity_new (const char *kind,
                  const char *summary,
                  const char *job_id,
                  const char *created_at)
{
  XiActivity *self = g_object_new (XI_TYPE_ACTIVITY, NULL);

  self->kind = g_strdup (kind);
  self->summary = g_strdup (summary);
  self->job_id = g_strdup (job_id);
  self->created_at = g_strdup (created_at);
  return self;
}

const char *
xi_activity_get_kind (XiActivity *self)
{
  g_return_val_if_fail (XI_IS_ACTIVITY (self), NULL);
  return self->kind;
}

const char *
xi_activity_get_summary (XiActivity *self)
{
  g_return_val_if_fail (XI_IS_ACTIVITY (self), NULL);
  return self->summary;
}

const char *
xi_activity_get_job_id (XiActivity *self)
{
  g_return_val_if_fail (XI_IS_ACTIVITY (self), NULL);
  return self->job_id;
}

/**
 * xi_activity_get_created_at:
 *
 * Returns: when it happened, ISO 8601 UTC
 */
const char *
xi_activity_get_created_at (XiActivity *self)
{
  g_return_val_if_fail (XI_IS_ACTIVITY (self), NULL);
  return self->created_at;
}
