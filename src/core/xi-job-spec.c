/* xi-job-spec.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-job-spec"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>

#include "xi-job-spec.h"
#include "xi-store.h"

G_DEFINE_BOXED_TYPE (XiJobSpec, xi_job_spec, xi_job_spec_copy, xi_job_spec_free)

/* The longest gap or rest anyone could mean: a day. Larger numbers are
 * typing mistakes, and would overflow the millisecond fields. */
#define MAX_SECONDS (24 * 60 * 60)

static const char * const skip_reason_names[] = {
  [XI_SKIP_REASON_NONE] = NULL,
  [XI_SKIP_REASON_OPTED_OUT] = "opted_out",
  [XI_SKIP_REASON_DUPLICATE] = "duplicate",
  [XI_SKIP_REASON_INVALID_NUMBER] = "invalid_number",
  [XI_SKIP_REASON_NOT_ON_WHATSAPP] = "not_on_whatsapp",
  [XI_SKIP_REASON_CANCELLED] = "cancelled",
  [XI_SKIP_REASON_STOPPED] = "stopped",
  [XI_SKIP_REASON_REFUSED_NEW_CONTACT] = "refused_new_contact",
  [XI_SKIP_REASON_NEW_CHATS_PAUSED] = "new_chats_paused",
};

/**
 * xi_job_spec_new:
 *
 * Returns: (transfer full): a spec with the anti-ban defaults
 */
XiJobSpec *
xi_job_spec_new (void)
{
  XiJobSpec *self = g_new0 (XiJobSpec, 1);

  self->delay_min_ms = XI_JOB_SPEC_DEFAULT_DELAY_MIN_MS;
  self->delay_max_ms = XI_JOB_SPEC_DEFAULT_DELAY_MAX_MS;
  self->batch_size = XI_JOB_SPEC_DEFAULT_BATCH_SIZE;
  self->batch_rest_ms = XI_JOB_SPEC_DEFAULT_BATCH_REST_MS;
  self->variant_mode = XI_VARIANT_MODE_RANDOM;
  self->start = TRUE;

  return self;
}

XiJobSpec *
xi_job_spec_copy (const XiJobSpec *self)
{
  XiJobSpec *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_memdup2 (self, sizeof *self);
  copy->name = g_strdup (self->name);
  copy->group_id = g_strdup (self->group_id);
  copy->contact_ids = g_strdupv (self->contact_ids);
  copy->segment = self->segment != NULL ? xi_segment_copy (self->segment) : NULL;
  copy->template_id = g_strdup (self->template_id);
  copy->transport = g_strdup (self->transport);

  return copy;
}

void
xi_job_spec_free (XiJobSpec *self)
{
  if (self == NULL)
    return;

  g_free (self->name);
  g_free (self->group_id);
  g_strfreev (self->contact_ids);
  xi_segment_free (self->segment);
  g_free (self->template_id);
  g_free (self->transport);
  g_free (self);
}

static gboolean
parse_seconds (const char  *text,
               guint       *seconds)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 0, MAX_SECONDS, &value, NULL))
    return FALSE;
  *seconds = value;
  return TRUE;
}

/**
 * xi_job_spec_parse_delay:
 * @text: "N" seconds, or "MIN-MAX" seconds
 *
 * Sets the delay from what a user typed on the command line.
 */
gboolean
xi_job_spec_parse_delay (XiJobSpec   *self,
                         const char  *text,
                         GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (text, "-", 2);
  guint min, max;

  if (!parse_seconds (g_strstrip (parts[0]), &min) ||
      (parts[1] != NULL && !parse_seconds (g_strstrip (parts[1]), &max)))
    goto bad;
  if (parts[1] == NULL)
    max = min;
  if (max < min)
    goto bad;

  self->delay_min_ms = min * 1000;
  self->delay_max_ms = max * 1000;
  return TRUE;

bad:
  g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID,
               _("“%s” is not a delay. Write seconds, like 30, or a range, like 20-45."), text);
  return FALSE;
}

/**
 * xi_job_spec_parse_batch:
 * @text: "N:REST": rest REST minutes after every N messages; "0" for never
 *
 * Sets the batch pause from what a user typed on the command line.
 */
gboolean
xi_job_spec_parse_batch (XiJobSpec   *self,
                         const char  *text,
                         GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (text, ":", 2);
  guint size, minutes = 0;

  if (!parse_seconds (g_strstrip (parts[0]), &size) ||
      (parts[1] == NULL && size != 0) ||
      (parts[1] != NULL && (!parse_seconds (g_strstrip (parts[1]), &minutes) || minutes > 24 * 60)))
    {
      g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID,
                   _("“%s” is not a batch pause. Write messages:minutes, like 25:10, or 0 for none."),
                   text);
      return FALSE;
    }

  self->batch_size = size;
  self->batch_rest_ms = size == 0 ? 0 : minutes * 60 * 1000;
  return TRUE;
}

static void
job_sample_free (XiJobSample *sample)
{
  g_free (sample->name);
  g_free (sample->phone);
  g_free (sample->text);
  g_free (sample);
}

XiJobPlan *
xi_job_plan_new (void)
{
  XiJobPlan *self = g_new0 (XiJobPlan, 1);

  self->samples = g_ptr_array_new_with_free_func ((GDestroyNotify)job_sample_free);
  return self;
}

void
xi_job_plan_free (XiJobPlan *self)
{
  if (self == NULL)
    return;

  g_ptr_array_unref (self->samples);
  g_strfreev (self->missing_variables);
  g_clear_object (&self->attachment);
  g_free (self);
}

guint
xi_job_plan_get_n_skipped (const XiJobPlan *self)
{
  guint n = 0;

  for (guint i = 0; i < G_N_ELEMENTS (self->skipped); i++)
    n += self->skipped[i];
  return n;
}

/**
 * xi_skip_reason_to_string:
 *
 * Returns: (nullable): the name stored in `job_recipients.skip_reason`
 */
const char *
xi_skip_reason_to_string (XiSkipReason reason)
{
  g_return_val_if_fail (reason <= XI_SKIP_REASON_NEW_CHATS_PAUSED, NULL);
  return skip_reason_names[reason];
}

XiSkipReason
_xi_skip_reason_from_string (const char *text)
{
  for (guint i = 1; i < G_N_ELEMENTS (skip_reason_names); i++)
    if (g_strcmp0 (text, skip_reason_names[i]) == 0)
      return i;
  return XI_SKIP_REASON_NONE;
}

/**
 * xi_skip_reason_describe:
 *
 * Returns: why a recipient is skipped, in words for the user
 */
const char *
xi_skip_reason_describe (XiSkipReason reason)
{
  switch (reason)
    {
    case XI_SKIP_REASON_NONE:
      return "";
    case XI_SKIP_REASON_OPTED_OUT:
      return _("Opted out");
    case XI_SKIP_REASON_DUPLICATE:
      return _("Duplicate number");
    case XI_SKIP_REASON_INVALID_NUMBER:
      return _("Invalid number");
    case XI_SKIP_REASON_NOT_ON_WHATSAPP:
      return _("Not on WhatsApp");
    case XI_SKIP_REASON_CANCELLED:
      return _("Campaign cancelled");
    case XI_SKIP_REASON_STOPPED:
      return _("Campaign stopped on errors");
    case XI_SKIP_REASON_REFUSED_NEW_CONTACT:
      return _("Refused by WhatsApp (new contact)");
    case XI_SKIP_REASON_NEW_CHATS_PAUSED:
      return _("Waiting for WhatsApp to allow new chats");
    default:
      g_return_val_if_reached ("");
    }
}

/**
 * xi_job_estimate_ms:
 * @messages: messages still to send
 * @delay_min_ms: the shortest gap between two messages
 * @delay_max_ms: the longest gap
 * @batch_size: rest after this many messages (0: never)
 * @batch_rest_ms: how long to rest
 * @daily_cap: at most this many messages a day (0: no cap)
 * @sent_today: messages already sent today, against @daily_cap
 *
 * How long sending @messages takes at this pace, from the first to the
 * last: the average delay between them, the batch rests, and a day for
 * each day the cap spills over into. What the confirmation before a start
 * and the running campaign's "done around" both say.
 *
 * Returns: milliseconds
 */
gint64
xi_job_estimate_ms (guint messages,
                    guint delay_min_ms,
                    guint delay_max_ms,
                    guint batch_size,
                    guint batch_rest_ms,
                    guint daily_cap,
                    guint sent_today)
{
  gint64 ms;

  if (messages == 0)
    return 0;

  ms = (gint64)(messages - 1) * (((gint64)delay_min_ms + delay_max_ms) / 2);
  if (batch_size > 0)
    ms += (gint64)((messages - 1) / batch_size) * batch_rest_ms;
  if (daily_cap > 0 && messages > (daily_cap > sent_today ? daily_cap - sent_today : 0))
    ms += (gint64)((messages - 1) / daily_cap + 1) * 24 * 60 * 60 * 1000;
  return ms;
}
