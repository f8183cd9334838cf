/* xi-auto-reply-rule.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-auto-reply-rule"

#include "config.h"

#include "xi-inbox-private.h"
#include "xi-opt-out.h"

struct _XiAutoReplyRule
{
  GObject              parent_instance;

  char                *id;
  char                *name;
  XiAutoReplyTrigger   trigger;
  char               **keywords;
  char                *reply_text;
  guint                cooldown_seconds;
  int                  hours_start;   /* -1: any time */
  int                  hours_end;
  gboolean             enabled;
  int                  priority;
};

G_DEFINE_FINAL_TYPE (XiAutoReplyRule, xi_auto_reply_rule, G_TYPE_OBJECT)

static void
xi_auto_reply_rule_finalize (GObject *object)
{
  XiAutoReplyRule *self = (XiAutoReplyRule *)object;

  g_free (self->id);
  g_free (self->name);
  g_strfreev (self->keywords);
  g_free (self->reply_text);

  G_OBJECT_CLASS (xi_auto_reply_rule_parent_class)->finalize (object);
}

static void
xi_auto_reply_rule_class_init (XiAutoReplyRuleClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = xi_auto_reply_rule_finalize;
}

static void
xi_auto_reply_rule_init (XiAutoReplyRule *self)
{
  self->keywords = g_new0 (char *, 1);
  self->reply_text = g_strdup ("");
  self->cooldown_seconds = XI_AUTO_REPLY_DEFAULT_COOLDOWN;
  self->hours_start = -1;
  self->hours_end = -1;
  self->enabled = TRUE;
}

/**
 * xi_auto_reply_rule_new:
 * @name: what the user calls it; unique
 *
 * A new, enabled keyword rule without keywords, answering at any time with
 * a day's cooldown. Save it with xi_store_save_auto_reply_rule_async().
 *
 * Returns: (transfer full): a rule that is not stored yet
 */
XiAutoReplyRule *
xi_auto_reply_rule_new (const char *name)
{
  XiAutoReplyRule *self = g_object_new (XI_TYPE_AUTO_REPLY_RULE, NULL);

  self->name = g_strdup (name != NULL ? name : "");
  return self;
}

void
_xi_auto_reply_rule_set_id (XiAutoReplyRule *self,
                            const char      *id)
{
  g_free (self->id);
  self->id = g_strdup (id);
}

/**
 * xi_auto_reply_rule_copy:
 * @self: a #XiAutoReplyRule
 *
 * Returns: (transfer full): an independent copy, id included
 */
XiAutoReplyRule *
xi_auto_reply_rule_copy (XiAutoReplyRule *self)
{
  XiAutoReplyRule *copy;

  g_return_val_if_fail (XI_IS_AUTO_REPLY_RULE (self), NULL);

  copy = xi_auto_reply_rule_new (self->name);
  copy->id = g_strdup (self->id);
  copy->trigger = self->trigger;
  g_strfreev (copy->keywords);
  copy->keywords = g_strdupv (self->keywords);
  g_free (copy->reply_text);
  copy->reply_text = g_strdup (self->reply_text);
  copy->cooldown_seconds = self->cooldown_seconds;
  copy->hours_start = self->hours_start;
  copy->hours_end = self->hours_end;
  copy->enabled = self->enabled;
  copy->priority = self->priority;
  return copy;
}

/**
 * xi_auto_reply_rule_get_id:
 *
 * Returns: (nullable): the stored row's id, %NULL before the first save
 */
const char *
xi_auto_reply_rule_get_id (XiAutoReplyRule *self)
{
  g_return_val_if_fail (XI_IS_AUTO_REPLY_RULE (self), NULL);
  return self->id;
}

const char *
xi_auto_reply_rule_get_name (XiAutoReplyRule *self)
{
  g_return_val_if_fail (XI_IS_AUTO_REPLY_RULE (self), NULL);
  return self->name;
}

void
xi_auto_reply_rule_set_name (XiAutoReplyRule *self,
                             const char      *name)
{
  g_return_if_fail (XI_IS_AUTO_REPLY_RULE (self));
  g_free (self->name);
  self->name = g_strdup (name != NULL ? name : "");
}

XiAutoReplyTrigger
xi_auto_reply_rule_get_trigger (XiAutoReplyRule *self)
{
  g_return_val_if_fail (XI_IS_AUTO_REPLY_RULE (self), XI_AUTO_REPLY_TRIGGER_KEYWORD);
  return self->trigger;
}

void
xi_auto_reply_rule_set_trigger (XiAutoReplyRule    *self,
                                XiAutoReplyTrigger  trigger)
{
  g_return_if_fail (XI_IS_AUTO_REPLY_RULE (self));
  self->trigger = trigger;
}

/**
 * xi_auto_reply_rule_get_keywords:
 *
 * Returns: (transfer none) (array zero-terminated=1): the keywords of a
 *   keyword rule
 */
const char * const *
xi_auto_reply_rule_get_keywords (XiAutoReplyRule *self)
{
  g_return_val_if_fail (XI_IS_AUTO_REPLY_RULE (self), NULL);
  return (const char * const *)self->keywords;
}

/**
 * xi_auto_reply_rule_set_keywords:
 * @keywords: (nullable) (array zero-terminated=1): words or short phrases
 */
void
xi_auto_reply_rule_set_keywords (XiAutoReplyRule    *self,
                                 const char * const *keywords)
{
  g_return_if_fail (XI_IS_AUTO_REPLY_RULE (self));
  g_strfreev (self->keywords);
  self->keywords = keywords != NULL ? g_strdupv ((char **)keywords) : g_new0 (char *, 1);
}

const char *
xi_auto_reply_rule_get_reply_text (XiAutoReplyRule *self)
{
  g_return_val_if_fail (XI_IS_AUTO_REPLY_RULE (self), NULL);
  return self->reply_text;
}

void
xi_auto_reply_rule_set_reply_text (XiAutoReplyRule *self,
                                   const char      *reply_text)
{
  g_return_if_fail (XI_IS_AUTO_REPLY_RULE (self));
  g_free (self->reply_text);
  self->reply_text = g_strdup (reply_text != NULL ? reply_text : "");
}

/**
 * xi_auto_reply_rule_get_cooldown_seconds:
 *
 * Returns: how long after an automatic answer to a number no rule answers
 *   that number again
 */
guint
xi_auto_reply_rule_get_cooldown_seconds (XiAutoReplyRule *self)
{
  g_return_val_if_fail (XI_IS_AUTO_REPLY_RULE (self), 0);
  return self->cooldown_seconds;
}

void
xi_auto_reply_rule_set_cooldown_seconds (XiAutoReplyRule *self,
                                         guint            seconds)
{
  g_return_if_fail (XI_IS_AUTO_REPLY_RULE (self));
  self->cooldown_seconds = seconds;
}

/**
 * xi_auto_reply_rule_get_hours:
 * @start_hour: (out) (optional): the first hour it answers in, 0–23
 * @end_hour: (out) (optional): the hour it stops answering, 0–24
 *
 * Returns: %TRUE when the rule answers only between those hours (local
 *   time); %FALSE when it answers at any time
 */
gboolean
xi_auto_reply_rule_get_hours (XiAutoReplyRule *self,
                              guint           *start_hour,
                              guint           *end_hour)
{
  g_return_val_if_fail (XI_IS_AUTO_REPLY_RULE (self), FALSE);

  if (self->hours_start < 0)
    return FALSE;
  if (start_hour != NULL)
    *start_hour = self->hours_start;
  if (end_hour != NULL)
    *end_hour = self->hours_end;
  return TRUE;
}

/**
 * xi_auto_reply_rule_set_hours:
 * @start_hour: 0–23, or -1 to answer at any time
 * @end_hour: 0–24; before @start_hour, the window spans midnight
 *
 * Limits the rule to business hours: it answers from @start_hour:00 up
 * to, not including, @end_hour:00 local time.
 */
void
xi_auto_reply_rule_set_hours (XiAutoReplyRule *self,
                              int              start_hour,
                              int              end_hour)
{
  g_return_if_fail (XI_IS_AUTO_REPLY_RULE (self));

  if (start_hour < 0 || start_hour > 23 || end_hour < 0 || end_hour > 24)
    start_hour = end_hour = -1;
  self->hours_start = start_hour;
  self->hours_end = end_hour;
}

gboolean
xi_auto_reply_rule_get_enabled (XiAutoReplyRule *self)
{
  g_return_val_if_fail (XI_IS_AUTO_REPLY_RULE (self), FALSE);
  return self->enabled;
}

void
xi_auto_reply_rule_set_enabled (XiAutoReplyRule *self,
                                gboolean         enabled)
{
  g_return_if_fail (XI_IS_AUTO_REPLY_RULE (self));
  self->enabled = !!enabled;
}

/**
 * xi_auto_reply_rule_get_priority:
 *
 * Returns: the order among rules: the highest priority that matches
 *   answers, and only that one
 */
int
xi_auto_reply_rule_get_priority (XiAutoReplyRule *self)
{
  g_return_val_if_fail (XI_IS_AUTO_REPLY_RULE (self), 0);
  return self->priority;
}

void
xi_auto_reply_rule_set_priority (XiAutoReplyRule *self,
                                 int              priority)
{
  g_return_if_fail (XI_IS_AUTO_REPLY_RULE (self));
  self->priority = priority;
}

/**
 * xi_auto_reply_rule_matches:
 * @text: (nullable): an incoming message
 *
 * An "any" rule matches every message with some text; a keyword rule one
 * that contains any of its keywords as whole words, ignoring case (see
 * xi_text_contains_phrase()). Whether the rule is enabled or open is not
 * considered here.
 *
 * Returns: whether @text triggers the rule
 */
gboolean
xi_auto_reply_rule_matches (XiAutoReplyRule *self,
                            const char      *text)
{
  g_return_val_if_fail (XI_IS_AUTO_REPLY_RULE (self), FALSE);

  if (text == NULL || text[0] == '\0')
    return FALSE;
  if (self->trigger == XI_AUTO_REPLY_TRIGGER_ANY)
    return TRUE;

  for (guint i = 0; self->keywords[i] != NULL; i++)
    if (xi_text_contains_phrase (text, self->keywords[i]))
      return TRUE;
  return FALSE;
}

/**
 * xi_auto_reply_rule_is_open_at:
 * @local_time: the time to check, in the user's time zone
 *
 * Returns: whether @local_time is inside the rule's hours (always, for a
 *   rule without hours)
 */
gboolean
xi_auto_reply_rule_is_open_at (XiAutoReplyRule *self,
                               GDateTime       *local_time)
{
  int hour;

  g_return_val_if_fail (XI_IS_AUTO_REPLY_RULE (self), FALSE);
  g_return_val_if_fail (local_time != NULL, FALSE);

  if (self->hours_start < 0 || self->hours_start == self->hours_end)
    return TRUE;

  hour = g_date_time_get_hour (local_time);
  if (self->hours_start < self->hours_end)
    return hour >= self->hours_start && hour < self->hours_end;
  return hour >= self->hours_start || hour < self->hours_end;
}
