/* xi-job-spec.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "xi-core-types.h"
#include "xi-segment.h"

G_BEGIN_DECLS

#define XI_TYPE_JOB_SPEC (xi_job_spec_get_type ())

/* The anti-ban defaults of FIELD-NOTES.md: a random 20–45 s gap, a rest
 * of 10 minutes after every 25 messages. */
#define XI_JOB_SPEC_DEFAULT_DELAY_MIN_MS  20000
#define XI_JOB_SPEC_DEFAULT_DELAY_MAX_MS  45000
#define XI_JOB_SPEC_DEFAULT_BATCH_SIZE    25
#define XI_JOB_SPEC_DEFAULT_BATCH_REST_MS (10 * 60 * 1000)

/* What a campaign goes through (jobs.transport): the linked WhatsApp
 * account, or the rehearsal, which sends nothing. */
#define XI_JOB_TRANSPORT_WHATSAPP "whatsapp"
#define XI_JOB_TRANSPORT_LOOPBACK "loopback"

/**
 * XiJobSpec:
 * @name: shown in lists; a default is made from the template and group
 * @group_id: (nullable): send to the members of this group…
 * @contact_ids: (nullable): …or to exactly these contacts
 * @segment: (nullable): the saved segment @contact_ids matched when it was
 *   evaluated, recorded with the campaign
 * @template_id: the template to render
 * @delay_min_ms: the shortest gap between two messages
 * @delay_max_ms: the longest gap; equal to @delay_min_ms for a fixed delay
 * @batch_size: rest after this many messages (0: never)
 * @batch_rest_ms: how long to rest
 * @daily_cap: at most this many messages a day, local time (0: no cap)
 * @variant_mode: how a variant is picked per recipient
 * @priority: higher runs first; equal priorities run oldest first
 * @scheduled_at: not before this Unix time (0: now)
 * @start: queue it at once; otherwise it waits, paused, for "start"
 * @transport: (nullable): %XI_JOB_TRANSPORT_WHATSAPP or
 *   %XI_JOB_TRANSPORT_LOOPBACK (a rehearsal); %NULL lets whatever runs
 *   the queue choose, as campaigns made before there was a choice
 *
 * What a user asks for when creating a campaign.
 */
typedef struct
{
  char          *name;
  char          *group_id;
  char         **contact_ids;
  XiSegment     *segment;
  char          *template_id;
  guint          delay_min_ms;
  guint          delay_max_ms;
  guint          batch_size;
  guint          batch_rest_ms;
  guint          daily_cap;
  XiVariantMode  variant_mode;
  int            priority;
  gint64         scheduled_at;
  gboolean       start;
  char          *transport;
} XiJobSpec;

GType       xi_job_spec_get_type   (void) G_GNUC_CONST;
XiJobSpec  *xi_job_spec_new        (void);
XiJobSpec  *xi_job_spec_copy       (const XiJobSpec  *self);
void        xi_job_spec_free       (XiJobSpec        *self);
gboolean    xi_job_spec_parse_delay (XiJobSpec       *self,
                                     const char      *text,
                                     GError         **error);
gboolean    xi_job_spec_parse_batch (XiJobSpec       *self,
                                     const char      *text,
                                     GError         **error);

gint64      xi_job_estimate_ms      (guint             messages,
                                     guint             delay_min_ms,
                                     guint             delay_max_ms,
                                     guint             batch_size,
                                     guint             batch_rest_ms,
                                     guint             daily_cap,
                                     guint             sent_today);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (XiJobSpec, xi_job_spec_free)

/**
 * XiJobSample:
 * @name: the contact's display name
 * @phone: E.164 digits
 * @text: the message as this contact would get it
 */
typedef struct
{
  char *name;
  char *phone;
  char *text;
} XiJobSample;

/**
 * XiJobPlan:
 * @targeted: contacts the spec points at
 * @eligible: messages the campaign would send
 * @skipped: per #XiSkipReason, how many contacts would be skipped
 * @quota_allowance: this month's allowance
 * @quota_available: what is left of it, less reservations
 * @samples: (element-type XiJobSample): a few rendered messages
 * @missing_variables: variables that some recipient has no value for
 * @attachment: (nullable): the picture or document every message carries
 *
 * What a campaign would do, computed without writing anything.
 */
typedef struct
{
  guint       targeted;
  guint       eligible;
  guint       skipped[XI_SKIP_REASON_STOPPED + 1];
  guint       quota_allowance;
  guint       quota_available;
  GPtrArray  *samples;
  char      **missing_variables;
  XiAsset    *attachment;
} XiJobPlan;

XiJobPlan  *xi_job_plan_new        (void);
void        xi_job_plan_free       (XiJobPlan        *self);
guint       xi_job_plan_get_n_skipped (const XiJobPlan *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (XiJobPlan, xi_job_plan_free)

const char *xi_skip_reason_to_string (XiSkipReason  reason);
const char *xi_skip_reason_describe  (XiSkipReason  reason);
XiSkipReason _xi_skip_reason_from_string (const char *text);

G_END_DECLS
