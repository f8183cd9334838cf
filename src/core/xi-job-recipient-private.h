/* xi-job-recipient-private.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "xi-job-recipient.h"

G_BEGIN_DECLS

struct _XiJobRecipient
{
  GObject           parent_instance;

  guint             position;
  char             *name;
  char             *phone;
  XiRecipientState  state;
  XiSkipReason      skip_reason;
  guint             attempts;
  char             *last_error;
  char             *message_id;
  char             *text;
  char             *sent_at;
  char             *delivered_at;
  char             *read_at;
};

XiJobRecipient   *_xi_job_recipient_new              (void);
gboolean          _xi_recipient_state_from_string   (const char       *text,
                                                     XiRecipientState *state);

G_END_DECLS
