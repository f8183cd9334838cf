/* xi-job.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-job"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-asset.h"
#include "xi-job-private.h"
#include "xi-job-spec.h"

/* A snapshot of one campaign as the store last saw it. Lists keep one
 * instance per campaign and refresh it with xi_job_update_from(), so
 * widgets bound to its properties follow the engine. */

G_DEFINE_FINAL_TYPE (XiJob, xi_job, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_STATE,
  PROP_TOTAL,
  PROP_SENT,
  PROP_FAILED,
  PROP_SKIPPED,
  PROP_DELIVERED,
  PROP_READ,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char * const state_names[] = {
  [XI_JOB_STATE_PENDING] = "pending",
  [XI_JOB_STATE_PROCESSING] = "processing",
  [XI_JOB_STATE_PAUSED] = "paused",
  [XI_JOB_STATE_RETRYING] = "retrying",
  [XI_JOB_STATE_COMPLETED] = "completed",
  [XI_JOB_STATE_FAILED] = "failed",
  [XI_JOB_STATE_CANCELLED] = "cancelled",
};

static void
xi_job_finalize (GObject *object)
{
  XiJob *self = (XiJob *)object;

  g_free (self->id);
  g_free (self->name);
  g_free (self->template_id);
  g_free (self->group_id);
  g_free (self->created_at);
  g_free (self->started_at);
  g_free (self->finished_at);
  g_free (self->last_error);
  g_free (self->transport);
  g_free (self->asset_sha256);
  g_free (self->asset_name);
  g_free (self->asset_mime_type);

  G_OBJECT_CLASS (xi_job_parent_class)->finalize (object);
}

static void
xi_job_get_property (GObject    *object,
                     guint       prop_id,
                     GValue     *value,
                     GParamSpec *pspec)
{
  XiJob *self = XI_JOB (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    case PROP_TOTAL:
      g_value_set_uint (value, self->total);
      break;
    case PROP_SENT:
      g_value_set_uint (value, self->sent);
      break;
    case PROP_FAILED:
      g_value_set_uint (value, self->failed);
      break;
    case PROP_SKIPPED:
      g_value_set_uint (value, self->skipped);
      break;
    case PROP_DELIVERED:
      g_value_set_uint (value, self->delivered);
      break;
    case PROP_READ:
      g_value_set_uint (value, self->read);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xi_job_class_init (XiJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = xi_job_finalize;
  object_class->get_property = xi_job_get_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, flags);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  /* An int rather than a registered enum keeps GtkExpression lookups and
   * the state_names table in step without a mkenums round trip. */
  properties[PROP_STATE] = g_param_spec_int ("state", NULL, NULL, XI_JOB_STATE_PENDING,
                                             XI_JOB_STATE_CANCELLED, XI_JOB_STATE_PENDING, flags);
  properties[PROP_TOTAL] = g_param_spec_uint ("total", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_SENT] = g_param_spec_uint ("sent", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_FAILED] = g_param_spec_uint ("failed", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_SKIPPED] = g_param_spec_uint ("skipped", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_DELIVERED] = g_param_spec_uint ("delivered", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_READ] = g_param_spec_uint ("read", NULL, NULL, 0, G_MAXUINT, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
xi_job_init (XiJob *self)
{
}

XiJob *
_xi_job_new (void)
{
  return g_object_new (XI_TYPE_JOB, NULL);
}

const char *
xi_job_get_id (XiJob *self)
{
  g_return_val_if_fail (XI_IS_JOB (self), NULL);
  return self->id;
}

const char *
xi_job_get_name (XiJob *self)
{
  g_return_val_if_fail (XI_IS_JOB (self), NULL);
  return self->name;
}

const char *
xi_job_get_template_id (XiJob *self)
{
  g_return_val_if_fail (XI_IS_JOB (self), NULL);
  return self->template_id;
}

const char *
xi_job_get_group_id (XiJob *self)
{
  g_return_val_if_fail (XI_IS_JOB (self), NULL);
  return self->group_id;
}

XiJobState
xi_job_get_state (XiJob *self)
{
  g_return_val_if_fail (XI_IS_JOB (self), XI_JOB_STATE_PENDING);
  return self->state;
}

/**
 * xi_job_is_finished:
 *
 * Returns: whether the job has reached a state it never leaves
 */
gboolean
xi_job_is_finished (XiJob *self)
{
  g_return_val_if_fail (XI_IS_JOB (self), FALSE);
  return self->state == XI_JOB_STATE_COMPLETED ||
         self->state == XI_JOB_STATE_FAILED ||
         self->state == XI_JOB_STATE_CANCELLED;
}

/**
 * xi_job_is_started:
 *
 * Returns: whether a first message was ever attempted
 */
gboolean
xi_job_is_started (XiJob *self)
{
  g_return_val_if_fail (XI_IS_JOB (self), FALSE);
  return self->started_at != NULL;
}

guint
xi_job_get_delay_min_ms (XiJob *self)
{
  g_return_val_if_fail (XI_IS_JOB (self), 0);
  return self->delay_min_ms;
}

guint
xi_job_get_delay_max_ms (XiJob *self)
{
  g_return_val_if_fail (XI_IS_JOB (self), 0);
  return self->delay_max_ms;
}

guint
xi_job_get_batch_size (XiJob *self)
{
  g_return_val_if_fail (XI_IS_JOB (self), 0);
  return self->batch_size;
}

guint
xi_job_get_batch_rest_ms (XiJob *self)
{
  g_return_val_if_fail (XI_IS_JOB (self), 0);
  return self->batch_rest_ms;
}

guint
xi_job_get_daily_cap (XiJob *self)
{
  g_return_val_if_fail (XI_IS_JOB (self), 0);
  return self->daily_cap;
}

XiVariantMode
xi_job_get_variant_mode (XiJob *self)
{
  g_return_val_if_fail (XI_IS_JOB (self), XI_VARIANT_MODE_RANDOM);
  return self->variant_mode;
}

int
xi_job_get_priority (XiJob *self)
{
  g_return_val_if_fail (XI_IS_JOB (self), 0);
  return self->priority;
}

gint64
xi_job_get_scheduled_at (XiJob *self)
{
  g_return_val_if_fail (XI_IS_JOB (self), 0);
  return self->scheduled_at;
}

guint
xi_job_get_total (XiJob *self)
{
  g_return_val_if_fail (XI_IS_JOB (self), 0);
  return self->total;
}

guint
xi_job_get_sent (XiJob *self)
{
  g_return_val_if_fail (XI_IS_JOB (self), 0);
  return self->sent;
}

guint
xi_job_get_failed (XiJob *self)
{
  g_return_val_if_fail (XI_IS_JOB (self), 0);
  return self->failed;
}

guint
xi_job_get_skipped (XiJob *self)
{
  g_return_val_if_fail (XI_IS_JOB (self), 0);
  return self->skipped;
}

guint
xi_job_get_delivered (XiJob *self)
{
  g_return_val_if_fail (XI_IS_JOB (self), 0);
  return self->delivered;
}

guint
xi_job_get_read (XiJob *self)
{
  g_return_val_if_fail (XI_IS_JOB (self), 0);
  return self->read;
}

/**
 * xi_job_get_remaining:
 *
 * Returns: recipients neither sent, failed nor skipped
 */
guint
xi_job_get_remaining (XiJob *self)
{
  guint done;

  g_return_val_if_fail (XI_IS_JOB (self), 0);

  done = self->sent + self->failed + self->skipped;
  return self->total > done ? self->total - done : 0;
}

const char *
xi_job_get_created_at (XiJob *self)
{
  g_return_val_if_fail (XI_IS_JOB (self), NULL);
  return self->created_at;
}

const char *
xi_job_get_started_at (XiJob *self)
{
  g_return_val_if_fail (XI_IS_JOB (self), NULL);
  return self->started_at;
}

const char *
xi_job_get_finished_at (XiJob *self)
{
  g_return_val_if_fail (XI_IS_JOB (self), NULL);
  return self->finished_at;
}

const char *
xi_job_get_last_error (XiJob *self)
{
  g_return_val_if_fail (XI_IS_JOB (self), NULL);
  return self->last_error;
}

/**
 * xi_job_get_transport:
 *
 * Returns: (nullable): %XI_JOB_TRANSPORT_WHATSAPP, %XI_JOB_TRANSPORT_LOOPBACK,
 *   or %NULL for a campaign made before it was recorded
 */
const char *
xi_job_get_transport (XiJob *self)
{
  g_return_val_if_fail (XI_IS_JOB (self), NULL);
  return self->transport;
}

/**
 * xi_job_is_rehearsal:
 *
 * Returns: whether the campaign goes through the rehearsal, which sends
 *   nothing to anyone
 */
gboolean
xi_job_is_rehearsal (XiJob *self)
{
  g_return_val_if_fail (XI_IS_JOB (self), FALSE);
  return g_strcmp0 (self->transport, XI_JOB_TRANSPORT_LOOPBACK) == 0;
}

/**
 * xi_job_dup_asset:
 * @self: a #XiJob
 * @assets_dir: the library's folder (xi_store_dup_assets_dir())
 *
 * The attachment recorded when the campaign was made: what every message
 * carries, whatever its template carries now.
 *
 * Returns: (transfer full) (nullable): the attachment, or %NULL for text
 */
XiAsset *
xi_job_dup_asset (XiJob      *self,
                  const char *assets_dir)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (XI_IS_JOB (self), NULL);
  g_return_val_if_fail (assets_dir != NULL, NULL);

  if (self->asset_sha256 == NULL)
    return NULL;
  path = g_build_filename (assets_dir, self->asset_sha256, NULL);
  return xi_asset_new (self->asset_name, self->asset_mime_type, self->asset_size, self->asset_sha256, path);
}

/**
 * xi_job_get_asset_name:
 * @self: a #XiJob
 *
 * Returns: (nullable): the name of the file every message carries
 */
const char *
xi_job_get_asset_name (XiJob *self)
{
  g_return_val_if_fail (XI_IS_JOB (self), NULL);
  return self->asset_name;
}

/**
 * xi_job_get_asset_sha256:
 * @self: a #XiJob
 *
 * Returns: (nullable): the SHA-256 of the file every message carries, as
 *   recorded when the campaign was made
 */
const char *
xi_job_get_asset_sha256 (XiJob *self)
{
  g_return_val_if_fail (XI_IS_JOB (self), NULL);
  return self->asset_sha256;
}

/**
 * xi_job_describe_transport:
 *
 * Returns: (nullable): where the campaign's messages go, in words for
 *   the user; %NULL when it was made before that was recorded
 */
const char *
xi_job_describe_transport (XiJob *self)
{
  g_return_val_if_fail (XI_IS_JOB (self), NULL);

  if (g_strcmp0 (self->transport, XI_JOB_TRANSPORT_LOOPBACK) == 0)
    return _("Rehearsal, sent to nobody");
  if (g_strcmp0 (self->transport, XI_JOB_TRANSPORT_WHATSAPP) == 0)
    return _("Through WhatsApp");
  return NULL;
}

static void
replace_string (XiJob       *self,
                char       **field,
                const char  *value,
                GParamSpec  *pspec)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  if (pspec != NULL)
    g_object_notify_by_pspec (G_OBJECT (self), pspec);
}

static void
replace_uint (XiJob      *self,
              guint      *field,
              guint       value,
              GParamSpec *pspec)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), pspec);
}

/**
 * xi_job_update_from:
 * @self: the job a list holds
 * @newer: a later snapshot of the same campaign
 *
 * Copies @newer into @self, notifying the properties that changed.
 */
void
xi_job_update_from (XiJob *self,
                    XiJob *newer)
{
  g_return_if_fail (XI_IS_JOB (self));
  g_return_if_fail (XI_IS_JOB (newer));
  g_return_if_fail (g_strcmp0 (self->id, newer->id) == 0);

  g_object_freeze_notify (G_OBJECT (self));

  replace_string (self, &self->name, newer->name, properties[PROP_NAME]);
  replace_string (self, &self->template_id, newer->template_id, NULL);
  replace_string (self, &self->group_id, newer->group_id, NULL);
  replace_string (self, &self->created_at, newer->created_at, NULL);
  replace_string (self, &self->started_at, newer->started_at, NULL);
  replace_string (self, &self->finished_at, newer->finished_at, NULL);
  replace_string (self, &self->last_error, newer->last_error, NULL);
  replace_string (self, &self->transport, newer->transport, NULL);
  replace_string (self, &self->asset_sha256, newer->asset_sha256, NULL);
  replace_string (self, &self->asset_name, newer->asset_name, NULL);
  replace_string (self, &self->asset_mime_type, newer->asset_mime_type, NULL);
  self->asset_size = newer->asset_size;
  self->delay_min_ms = newer->delay_min_ms;
  self->delay_max_ms = newer->delay_max_ms;
  self->batch_size = newer->batch_size;
  self->batch_rest_ms = newer->batch_rest_ms;
  self->daily_cap = newer->daily_cap;
  self->variant_mode = newer->variant_mode;
  self->priority = newer->priority;
  self->scheduled_at = newer->scheduled_at;
  if (self->state != newer->state)
    {
      self->state = newer->state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
  replace_uint (self, &self->total, newer->total, properties[PROP_TOTAL]);
  replace_uint (self, &self->sent, newer->sent, properties[PROP_SENT]);
  replace_uint (self, &self->failed, newer->failed, properties[PROP_FAILED]);
  replace_uint (self, &self->skipped, newer->skipped, properties[PROP_SKIPPED]);
  replace_uint (self, &self->delivered, newer->delivered, properties[PROP_DELIVERED]);
  replace_uint (self, &self->read, newer->read, properties[PROP_READ]);

  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * xi_job_copy:
 * @self: a job
 *
 * A job is changed in place by whoever holds it (xi_job_update_from()),
 * so another thread is handed a copy, never the instance itself.
 *
 * Returns: (transfer full): a new job with @self's values
 */
XiJob *
xi_job_copy (XiJob *self)
{
  XiJob *copy;

  g_return_val_if_fail (XI_IS_JOB (self), NULL);

  copy = _xi_job_new ();
  copy->id = g_strdup (self->id);
  xi_job_update_from (copy, self);
  return copy;
}

/**
 * xi_job_state_to_string:
 *
 * Returns: the name stored in the `jobs.state` column
 */
const char *
xi_job_state_to_string (XiJobState state)
{
  g_return_val_if_fail (state <= XI_JOB_STATE_CANCELLED, "pending");
  return state_names[state];
}

gboolean
xi_job_state_from_string (const char *text,
                          XiJobState *state)
{
  for (guint i = 0; i < G_N_ELEMENTS (state_names); i++)
    if (g_strcmp0 (text, state_names[i]) == 0)
      {
        *state = i;
        return TRUE;
      }
  return FALSE;
}

/**
 * xi_job_state_describe:
 *
 * Returns: the state in words for the user, translated
 */
const char *
xi_job_state_describe (XiJobState state)
{
  switch (state)
    {
    case XI_JOB_STATE_PENDING:
      return _("Waiting");
    case XI_JOB_STATE_PROCESSING:
      return _("Sending");
    case XI_JOB_STATE_PAUSED:
      return _("Paused");
    case XI_JOB_STATE_RETRYING:
      return _("Waiting for connection");
    case XI_JOB_STATE_COMPLETED:
      return _("Completed");
    case XI_JOB_STATE_FAILED:
      return _("Failed");
    case XI_JOB_STATE_CANCELLED:
      return _("Cancelled");
    default:
      g_return_val_if_reached ("");
    }
}
