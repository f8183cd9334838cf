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

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_TRIGGER,
  PROP_KEYWORDS,
  PROP_REPLY_TEXT,
  PROP_COOLDOWN_SECONDS,
  PROP_HOURS_START,
  PROP_HOURS_END,
  PROP_ENABLED,
  PROP_PRIORITY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

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
xi_auto_reply_rule_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  XiAutoReplyRule *self = XI_AUTO_REPLY_RULE (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_TRIGGER:
      g_value_set_int (value, self->trigger);
      break;
    case PROP_KEYWORDS:
      g_value_set_boxed (value, self->keywords);
      break;
    case PROP_REPLY_TEXT:
      g_value_set_string (value, self->reply_text);
      break;
    case PROP_COOLDOWN_SECONDS:
      g_value_set_uint (value, self->cooldown_seconds);
      break;
    case PROP_HOURS_START:
      g_value_set_int (value, self->hours_start);
      break;
    case PROP_HOURS_END:
      g_value_set_int (value, self->hours_end);
      break;
    case PROP_ENABLED:
      g_value_set_boolean (value, self->enabled);
      break;
    case PROP_PRIORITY:
      g_value_set_int (value, self->priority);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xi_auto_reply_rule_class_init (XiAutoReplyRuleClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = xi_auto_reply_rule_finalize;
  object_class->get_property = xi_auto_reply_rule_get_property;

  /* Read-only: the setters are the way to change a rule, and each says
   * when its field changed, so rows bound to a rule a model holds show an
   * edit made anywhere. */
  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, flags);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, "", flags);
  properties[PROP_TRIGGER] = g_param_spec_int ("trigger", NULL, NULL, XI_AUTO_REPLY_TRIGGER_KEYWORD,
                                               XI_AUTO_REPLY_TRIGGER_ANY, XI_AUTO_REPLY_TRIGGER_KEYWORD,
                                               flags);
  properties[PROP_KEYWORDS] = g_param_spec_boxed ("keywords", NULL, NULL, G_TYPE_STRV, flags);
  properties[PROP_REPLY_TEXT] = g_param_spec_string ("reply-text", NULL, NULL, "", flags);
  properties[PROP_COOLDOWN_SECONDS] = g_param_spec_uint ("cooldown-seconds", NULL, NULL, 0, G_MAXUINT,
                                                         XI_AUTO_REPLY_DEFAULT_COOLDOWN, flags);
  properties[PROP_HOURS_START] = g_param_spec_int ("hours-start", NULL, NULL, -1, 23, -1, flags);
  properties[PROP_HOURS_END] = g_param_spec_int ("hours-end", NULL, NULL, -1, 24, -1, flags);
  properties[PROP_ENABLED] = g_param_spec_boolean ("enabled", NULL, NULL, TRUE, flags);
  properties[PROP_PRIORITY] = g_param_spec_int ("priority", NULL, NULL, G_MININT, G_MAXINT, 0, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
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
  if (g_strcmp0 (self->id, id) == 0)
    return;
  g_free (self->id);
  self->id = g_strdup (id);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID]);
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
 * xi_auto_reply_rule_update_from:
 * @self: a #XiAutoReplyRule a model holds
 * @newer: a newer copy of the same rule, as the store read it
 *
 * Takes @newer's fields, each notifying only when it changed, so that a
 * row showing @self follows an edit made in a dialog or pulled by sync
 * from another computer.
 */
void
xi_auto_reply_rule_update_from (XiAutoReplyRule *self,
                                XiAutoReplyRule *newer)
{
  g_return_if_fail (XI_IS_AUTO_REPLY_RULE (self));
  g_return_if_fail (XI_IS_AUTO_REPLY_RULE (newer));

  g_object_freeze_notify (G_OBJECT (self));
  _xi_auto_reply_rule_set_id (self, newer->id);
  xi_auto_reply_rule_set_name (self, newer->name);
  xi_auto_reply_rule_set_trigger (self, newer->trigger);
  xi_auto_reply_rule_set_keywords (self, (const char * const *)newer->keywords);
  xi_auto_reply_rule_set_reply_text (self, newer->reply_text);
  xi_auto_reply_rule_set_cooldown_seconds (self, newer->cooldown_seconds);
  xi_auto_reply_rule_set_hours (self, newer->hours_start, newer->hours_end);
  xi_auto_reply_rule_set_enabled (self, newer->enabled);
  xi_auto_reply_rule_set_priority (self, newer->priority);
  g_object_thaw_notify (G_OBJECT (self));
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

  if (name == NULL)
    name = "";
  if (g_strcmp0 (self->name, name) == 0)
    return;
  g_free (self->name);
  self->name = g_strdup (name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
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

  if (self->trigger == trigger)
    return;
  self->trigger = trigger;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRIGGER]);
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
  static const char * const none[] = { NULL };

  g_return_if_fail (XI_IS_AUTO_REPLY_RULE (self));

  if (keywords == NULL)
    keywords = none;
  if (g_strv_equal ((const char * const *)self->keywords, keywords))
    return;
  g_strfreev (self->keywords);
  self->keywords = g_strdupv ((char **)keywords);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KEYWORDS]);
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

  if (reply_text == NULL)
    reply_text = "";
  if (g_strcmp0 (self->reply_text, reply_text) == 0)
    return;
  g_free (self->reply_text);
  self->reply_text = g_strdup (reply_text);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPLY_TEXT]);
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

  if (self->cooldown_seconds == seconds)
    return;
  self->cooldown_seconds = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COOLDOWN_SECONDS]);
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
  g_object_freeze_notify (G_OBJECT (self));
  if (self->hours_start != start_hour)
    {
      self->hours_start = start_hour;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOURS_START]);
    }
  if (self->hours_end != end_hour)
    {
      self->hours_end = end_hour;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOURS_END]);
    }
  g_object_thaw_notify (G_OBJECT (self));
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

  if (self->enabled == !!enabled)
    return;
  self->enabled = !!enabled;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENABLED]);
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

  if (self->priority == priority)
    return;
  self->priority = priority;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRIORITY]);
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
