/* xi-job-recipient.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-job-recipient"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-job-recipient-private.h"

/* One line of a campaign report: who, what they were sent, and what
 * became of it. Immutable once the store made it. */

G_DEFINE_FINAL_TYPE (XiJobRecipient, xi_job_recipient, G_TYPE_OBJECT)

static const char * const state_names[] = {
  [XI_RECIPIENT_STATE_PENDING] = "pending",
  [XI_RECIPIENT_STATE_SENDING] = "sending",
  [XI_RECIPIENT_STATE_SENT] = "sent",
  [XI_RECIPIENT_STATE_DELIVERED] = "delivered",
  [XI_RECIPIENT_STATE_READ] = "read",
  [XI_RECIPIENT_STATE_FAILED] = "failed",
  [XI_RECIPIENT_STATE_SKIPPED] = "skipped",
};

static void
xi_job_recipient_finalize (GObject *object)
{
  XiJobRecipient *self = (XiJobRecipient *)object;

  g_free (self->name);
  g_free (self->phone);
  g_free (self->last_error);
  g_free (self->message_id);
  g_free (self->text);
  g_free (self->sent_at);
  g_free (self->delivered_at);
  g_free (self->read_at);

  G_OBJECT_CLASS (xi_job_recipient_parent_class)->finalize (object);
}

static void
xi_job_recipient_class_init (XiJobRecipientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = xi_job_recipient_finalize;
}

static void
xi_job_recipient_init (XiJobRecipient *self)
{
}

XiJobRecipient *
_xi_job_recipient_new (void)
{
  return g_object_new (XI_TYPE_JOB_RECIPIENT, NULL);
}

guint
xi_job_recipient_get_position (XiJobRecipient *self)
{
  g_return_val_if_fail (XI_IS_JOB_RECIPIENT (self), 0);
  return self->position;
}

const char *
xi_job_recipient_get_name (XiJobRecipient *self)
{
  g_return_val_if_fail (XI_IS_JOB_RECIPIENT (self), NULL);
  return self->name;
}

const char *
xi_job_recipient_get_phone (XiJobRecipient *self)
{
  g_return_val_if_fail (XI_IS_JOB_RECIPIENT (self), NULL);
  return self->phone;
}

XiRecipientState
xi_job_recipient_get_state (XiJobRecipient *self)
{
  g_return_val_if_fail (XI_IS_JOB_RECIPIENT (self), XI_RECIPIENT_STATE_PENDING);
  return self->state;
}

XiSkipReason
xi_job_recipient_get_skip_reason (XiJobRecipient *self)
{
  g_return_val_if_fail (XI_IS_JOB_RECIPIENT (self), XI_SKIP_REASON_NONE);
  return self->skip_reason;
}

guint
xi_job_recipient_get_attempts (XiJobRecipient *self)
{
  g_return_val_if_fail (XI_IS_JOB_RECIPIENT (self), 0);
  return self->attempts;
}

const char *
xi_job_recipient_get_last_error (XiJobRecipient *self)
{
  g_return_val_if_fail (XI_IS_JOB_RECIPIENT (self), NULL);
  return self->last_error;
}

const char *
xi_job_recipient_get_message_id (XiJobRecipient *self)
{
  g_return_val_if_fail (XI_IS_JOB_RECIPIENT (self), NULL);
  return self->message_id;
}

const char *
xi_job_recipient_get_text (XiJobRecipient *self)
{
  g_return_val_if_fail (XI_IS_JOB_RECIPIENT (self), NULL);
  return self->text;
}

const char *
xi_job_recipient_get_sent_at (XiJobRecipient *self)
{
  g_return_val_if_fail (XI_IS_JOB_RECIPIENT (self), NULL);
  return self->sent_at;
}

const char *
xi_job_recipient_get_delivered_at (XiJobRecipient *self)
{
  g_return_val_if_fail (XI_IS_JOB_RECIPIENT (self), NULL);
  return self->delivered_at;
}

const char *
xi_job_recipient_get_read_at (XiJobRecipient *self)
{
  g_return_val_if_fail (XI_IS_JOB_RECIPIENT (self), NULL);
  return self->read_at;
}

/**
 * xi_job_recipient_matches:
 * @casefolded_query: what the user typed, g_utf8_casefold()ed
 *
 * Returns: whether the name or the number contains the query
 */
gboolean
xi_job_recipient_matches (XiJobRecipient *self,
                          const char     *casefolded_query)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (XI_IS_JOB_RECIPIENT (self), FALSE);

  if (casefolded_query == NULL || casefolded_query[0] == '\0')
    return TRUE;
  if (self->phone != NULL && strstr (self->phone, casefolded_query) != NULL)
    return TRUE;
  name = g_utf8_casefold (self->name != NULL ? self->name : "", -1);
  return strstr (name, casefolded_query) != NULL;
}

/**
 * xi_recipient_state_to_string:
 *
 * Returns: the name stored in `job_recipients.state`
 */
const char *
xi_recipient_state_to_string (XiRecipientState state)
{
  g_return_val_if_fail (state <= XI_RECIPIENT_STATE_SKIPPED, "pending");
  return state_names[state];
}

gboolean
_xi_recipient_state_from_string (const char       *text,
                                 XiRecipientState *state)
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
 * xi_recipient_state_describe:
 *
 * Returns: the state in words for the user, translated
 */
const char *
xi_recipient_state_describe (XiRecipientState state)
{
  switch (state)
    {
    case XI_RECIPIENT_STATE_PENDING:
      return _("Waiting");
    case XI_RECIPIENT_STATE_SENDING:
      return _("Sending");
    case XI_RECIPIENT_STATE_SENT:
      return _("Sent");
    case XI_RECIPIENT_STATE_DELIVERED:
      return _("Delivered");
    case XI_RECIPIENT_STATE_READ:
      return _("Read");
    case XI_RECIPIENT_STATE_FAILED:
      return _("Failed");
    case XI_RECIPIENT_STATE_SKIPPED:
      return _("Skipped");
    default:
      g_return_val_if_reached ("");
    }
}
