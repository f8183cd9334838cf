/* xi-auto-reply-rule.h
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * XiAutoReplyTrigger:
 * @XI_AUTO_REPLY_TRIGGER_KEYWORD: the message contains one of the keywords
 *   (see xi_text_contains_phrase())
 * @XI_AUTO_REPLY_TRIGGER_ANY: every message
 */
typedef enum {
  XI_AUTO_REPLY_TRIGGER_KEYWORD,
  XI_AUTO_REPLY_TRIGGER_ANY,
} XiAutoReplyTrigger;

/* A day's cooldown, the default: a customer gets a rule's answer at most
 * once a day, and two answering machines cannot keep talking. */
#define XI_AUTO_REPLY_DEFAULT_COOLDOWN (24 * 60 * 60)

/* Whatever a rule says (a cooldown of zero from the command line, a rule
 * synced from another computer), one number gets at most one automatic
 * answer a minute and XI_AUTO_REPLY_MAX_PER_DAY in any 24 hours: two
 * answering machines with short cooldowns would otherwise talk all day,
 * and WhatsApp bans accounts that do. */
#define XI_AUTO_REPLY_MIN_COOLDOWN 60
#define XI_AUTO_REPLY_MAX_PER_DAY 3

#define XI_TYPE_AUTO_REPLY_RULE (xi_auto_reply_rule_get_type ())

/* An automatic answer to incoming messages. Owned by one thread; the
 * engine works on copies. */
G_DECLARE_FINAL_TYPE (XiAutoReplyRule, xi_auto_reply_rule, XI, AUTO_REPLY_RULE, GObject)

XiAutoReplyRule     *xi_auto_reply_rule_new                  (const char          *name);
XiAutoReplyRule     *xi_auto_reply_rule_copy                 (XiAutoReplyRule     *self);
void                 xi_auto_reply_rule_update_from          (XiAutoReplyRule     *self,
                                                              XiAutoReplyRule     *newer);
const char          *xi_auto_reply_rule_get_id               (XiAutoReplyRule     *self);
const char          *xi_auto_reply_rule_get_name             (XiAutoReplyRule     *self);
void                 xi_auto_reply_rule_set_name             (XiAutoReplyRule     *self,
                                                              const char          *name);
XiAutoReplyTrigger   xi_auto_reply_rule_get_trigger          (XiAutoReplyRule     *self);
void                 xi_auto_reply_rule_set_trigger          (XiAutoReplyRule     *self,
                                                              XiAutoReplyTrigger   trigger);
const char * const  *xi_auto_reply_rule_get_keywords         (XiAutoReplyRule     *self);
void                 xi_auto_reply_rule_set_keywords         (XiAutoReplyRule     *self,
                                                              const char * const  *keywords);
const char          *xi_auto_reply_rule_get_reply_text       (XiAutoReplyRule     *self);
void                 xi_auto_reply_rule_set_reply_text       (XiAutoReplyRule     *self,
                                                              const char          *reply_text);
guint                xi_auto_reply_rule_get_cooldown_seconds (XiAutoReplyRule     *self);
void                 xi_auto_reply_rule_set_cooldown_seconds (XiAutoReplyRule     *self,
                                                              guint                seconds);
gboolean             xi_auto_reply_rule_get_hours            (XiAutoReplyRule     *self,
                                                              guint               *start_hour,
                                                              guint               *end_hour);
void                 xi_auto_reply_rule_set_hours            (XiAutoReplyRule     *self,
                                                              int                  start_hour,
                                                              int                  end_hour);
gboolean             xi_auto_reply_rule_get_enabled          (XiAutoReplyRule     *self);
void                 xi_auto_reply_rule_set_enabled          (XiAutoReplyRule     *self,
                                                              gboolean             enabled);
int                  xi_auto_reply_rule_get_priority         (XiAutoReplyRule     *self);
void                 xi_auto_reply_rule_set_priority         (XiAutoReplyRule     *self,
                                                              int                  priority);
gboolean             xi_auto_reply_rule_matches              (XiAutoReplyRule     *self,
                                                              const char          *text);
gboolean             xi_auto_reply_rule_is_open_at           (XiAutoReplyRule     *self,
                                                              GDateTime           *local_time);

G_END_DECLS
