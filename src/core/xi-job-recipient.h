/* xi-job-recipient.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "xi-core-types.h"

G_BEGIN_DECLS

#define XI_TYPE_JOB_RECIPIENT (xi_job_recipient_get_type ())

G_DECLARE_FINAL_TYPE (XiJobRecipient, xi_job_recipient, XI, JOB_RECIPIENT, GObject)

guint             xi_job_recipient_get_position     (XiJobRecipient   *self);
const char       *xi_job_recipient_get_name         (XiJobRecipient   *self);
const char       *xi_job_recipient_get_phone        (XiJobRecipient   *self);
XiRecipientState  xi_job_recipient_get_state        (XiJobRecipient   *self);
XiSkipReason      xi_job_recipient_get_skip_reason  (XiJobRecipient   *self);
guint             xi_job_recipient_get_attempts     (XiJobRecipient   *self);
const char       *xi_job_recipient_get_last_error   (XiJobRecipient   *self);
const char       *xi_job_recipient_get_message_id   (XiJobRecipient   *self);
const char       *xi_job_recipient_get_text         (XiJobRecipient   *self);
const char       *xi_job_recipient_get_sent_at      (XiJobRecipient   *self);
const char       *xi_job_recipient_get_delivered_at (XiJobRecipient   *self);
const char       *xi_job_recipient_get_read_at      (XiJobRecipient   *self);
gboolean          xi_job_recipient_matches          (XiJobRecipient   *self,
                                                     const char       *casefolded_query);

const char       *xi_recipient_state_to_string      (XiRecipientState  state);
const char       *xi_recipient_state_describe       (XiRecipientState  state);

G_END_DECLS
