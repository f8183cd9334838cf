/* xi-store-auto-replies.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-store-auto-replies"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "xi-inbox-private.h"
#include "xi-limits.h"
#include "xi-store-private.h"

/*
 * Auto-reply rules, and the record of the answers sent. An answer is an
 * activity-log entry ("auto-reply.sent") whose details name the rule and
 * the incoming message it answered; the message row holds the number, so
 * the log itself never does. The per-number cooldown is read from there,
 * which makes it survive a restart: a bot on the other side cannot get a
 * second answer by waiting for us to reconnect.
 */

#define RULE_COLUMNS \
  "id, name, trigger_kind, keywords, reply_text, cooldown_seconds," \
  " coalesce (hours_start, -1), coalesce (hours_end, -1), enabled, priority"

static char **
keywords_from_json (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) words = g_ptr_array_new_with_free_func (g_free);
  JsonNode *root;

  if (json != NULL && json_parser_load_from_data (parser, json, -1, NULL) &&
      (root = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_ARRAY (root))
    {
      JsonArray *array = json_node_get_array (root);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *node = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
            g_ptr_array_add (words, g_strdup (json_node_get_string (node)));
        }
    }
  g_ptr_array_add (words, NULL);
  return (char **)g_ptr_array_free (g_steal_pointer (&words), FALSE);
}

static char *
keywords_to_json (const char * const *keywords)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; keywords != NULL && keywords[i] != NULL; i++)
    json_builder_add_string_value (builder, keywords[i]);
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

static gpointer
rule_from_row (sqlite3_stmt *stmt)
{
  XiAutoReplyRule *rule = xi_auto_reply_rule_new ((const char *)sqlite3_column_text (stmt, 1));
  g_auto(GStrv) keywords = keywords_from_json ((const char *)sqlite3_column_text (stmt, 3));

  _xi_auto_reply_rule_set_id (rule, (const char *)sqlite3_column_text (stmt, 0));
  xi_auto_reply_rule_set_trigger (rule, g_strcmp0 ((const char *)sqlite3_column_text (stmt, 2), "any") == 0
                                        ? XI_AUTO_REPLY_TRIGGER_ANY : XI_AUTO_REPLY_TRIGGER_KEYWORD);
  xi_auto_reply_rule_set_keywords (rule, (const char * const *)keywords);
  xi_auto_reply_rule_set_reply_text (rule, (const char *)sqlite3_column_text (stmt, 4));
  xi_auto_reply_rule_set_cooldown_seconds (rule, MAX (sqlite3_column_int64 (stmt, 5), 0));
  xi_auto_reply_rule_set_hours (rule, sqlite3_column_int (stmt, 6), sqlite3_column_int (stmt, 7));
  xi_auto_reply_rule_set_enabled (rule, sqlite3_column_int (stmt, 8));
  xi_auto_reply_rule_set_priority (rule, sqlite3_column_int (stmt, 9));
  return rule;
}

static void
list_rules_func (XiStore  *self,
                 GTask    *task,
                 gpointer  data)
{
  _xi_store_return_rows (self, task,
                         "SELECT " RULE_COLUMNS " FROM auto_reply_rules"
                         " WHERE master_user_id = ?1 AND deleted = 0"
                         " ORDER BY priority DESC, name COLLATE NOCASE",
                         rule_from_row);
}

/**
 * xi_store_list_auto_reply_rules_async:
 * @self: a #XiStore
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Lists the auto-reply rules in the order they are tried: the highest
 * priority first, then by name.
 */
void
xi_store_list_auto_reply_rules_async (XiStore             *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  _xi_store_push_read (self, list_rules_func, NULL, NULL, xi_store_list_auto_reply_rules_async,
                       cancellable, callback, user_data);
}

/**
 * xi_store_list_auto_reply_rules_finish:
 *
 * Returns: (transfer full) (element-type XiAutoReplyRule): the rules
 */
GPtrArray *
xi_store_list_auto_reply_rules_finish (XiStore       *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
validate_rule (XiAutoReplyRule  *rule,
               GError          **error)
{
  g_autofree char *name = g_strstrip (g_strdup (xi_auto_reply_rule_get_name (rule)));
  g_autofree char *reply = g_strstrip (g_strdup (xi_auto_reply_rule_get_reply_text (rule)));
  const char * const *keywords = xi_auto_reply_rule_get_keywords (rule);
  gboolean any_keyword = FALSE;

  for (guint i = 0; keywords[i] != NULL; i++)
    {
      g_autofree char *word = g_strstrip (g_strdup (keywords[i]));

      any_keyword = any_keyword || word[0] != '\0';
    }

  if (name[0] == '\0')
    g_set_error_literal (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID,
                         _("Give the auto-reply rule a name."));
  else if (reply[0] == '\0')
    g_set_error_literal (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID,
                         _("Write the text the auto-reply sends."));
  else if (xi_auto_reply_rule_get_trigger (rule) == XI_AUTO_REPLY_TRIGGER_KEYWORD && !any_keyword)
    g_set_error_literal (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID,
                         _("A keyword rule needs at least one keyword."));
  else
    return xi_limit_check_name (name, error) && xi_limit_check_message (reply, error);
  return FALSE;
}

static void
save_rule_func (XiStore  *self,
                GTask    *task,
                gpointer  data)
{
  XiAutoReplyRule *rule = data;
  g_autofree char *now = _xi_store_now ();
  g_autofree char *id = g_strdup (xi_auto_reply_rule_get_id (rule));
  g_autofree char *keywords = keywords_to_json (xi_auto_reply_rule_get_keywords (rule));
  g_autofree char *name = g_strstrip (g_strdup (xi_auto_reply_rule_get_name (rule)));
  XiAutoReplyRule *saved;
  GError *error = NULL;
  sqlite3_stmt *stmt;
  guint start = 0, end = 0;
  gboolean hours;
  int rc;

  if (!validate_rule (rule, &error) || !_xi_store_begin (self, &error))
    goto failed;

  stmt = _xi_store_prepare (self,
                            "SELECT 1 FROM auto_reply_rules WHERE master_user_id = ?1 AND deleted = 0"
                            " AND name = ?2 COLLATE NOCASE AND id IS NOT ?3",
                            &error);
  if (stmt == NULL)
    goto failed;
  _xi_store_bind_text (stmt, 1, self->master_user_id);
  _xi_store_bind_text (stmt, 2, name);
  _xi_store_bind_text (stmt, 3, id);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc == SQLITE_ROW)
    {
      g_set_error (&error, XI_STORE_ERROR, XI_STORE_ERROR_DUPLICATE,
                   _("There is already an auto-reply rule called “%s”."), name);
      goto failed;
    }

  if (id == NULL)
    {
      id = _xi_store_new_id ();
      stmt = _xi_store_prepare (self,
                                "INSERT INTO auto_reply_rules (id, master_user_id, created_at, updated_at,"
                                " name, trigger_kind, keywords, reply_text, cooldown_seconds,"
                                " hours_start, hours_end, enabled, priority)"
                                " VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                                &error);
    }
  else
    stmt = _xi_store_prepare (self,
                              "UPDATE auto_reply_rules SET updated_at = ?3, name = ?4,"
                              " trigger_kind = ?5, keywords = ?6, reply_text = ?7,"
                              " cooldown_seconds = ?8, hours_start = ?9, hours_end = ?10,"
                              " enabled = ?11, priority = ?12, version = version + 1,"
                              " sync_status = 'pending'"
                              " WHERE id = ?1 AND master_user_id = ?2 AND deleted = 0",
                              &error);
  if (stmt == NULL)
    goto failed;

  hours = xi_auto_reply_rule_get_hours (rule, &start, &end);
  _xi_store_bind_text (stmt, 1, id);
  _xi_store_bind_text (stmt, 2, self->master_user_id);
  _xi_store_bind_text (stmt, 3, now);
  _xi_store_bind_text (stmt, 4, name);
  _xi_store_bind_text (stmt, 5, xi_auto_reply_rule_get_trigger (rule) == XI_AUTO_REPLY_TRIGGER_ANY
                                ? "any" : "keyword");
  _xi_store_bind_text (stmt, 6, keywords);
  _xi_store_bind_text (stmt, 7, xi_auto_reply_rule_get_reply_text (rule));
  sqlite3_bind_int64 (stmt, 8, xi_auto_reply_rule_get_cooldown_seconds (rule));
  if (hours)
    {
      sqlite3_bind_int (stmt, 9, start);
      sqlite3_bind_int (stmt, 10, end);
    }
  sqlite3_bind_int (stmt, 11, xi_auto_reply_rule_get_enabled (rule));
  sqlite3_bind_int (stmt, 12, xi_auto_reply_rule_get_priority (rule));
  if (!_xi_store_step_done (self, stmt, &error))
    goto failed;
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error_literal (&error, XI_STORE_ERROR, XI_STORE_ERROR_NOT_FOUND,
                           _("The auto-reply rule no longer exists."));
      goto failed;
    }

  saved = _xi_store_query_one (self,
                               "SELECT " RULE_COLUMNS " FROM auto_reply_rules"
                               " WHERE master_user_id = ?1 AND id = ?2",
                               id, rule_from_row, _("The auto-reply rule no longer exists."),
                               &error);
  if (saved == NULL || !_xi_store_commit (self, &error))
    {
      g_clear_object (&saved);
      goto failed;
    }
  g_task_return_pointer (task, saved, g_object_unref);
  return;

failed:
  _xi_store_rollback (self);
  g_task_return_error (task, error);
}

/**
 * xi_store_save_auto_reply_rule_async:
 * @self: a #XiStore
 * @rule: a new rule (without an id) or a changed copy of a stored one
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Stores a rule. Fails with %XI_STORE_ERROR_INVALID for a rule without a
 * name, a reply text or (for a keyword rule) a keyword, and with
 * %XI_STORE_ERROR_DUPLICATE when another rule has the name.
 */
void
xi_store_save_auto_reply_rule_async (XiStore             *self,
                                     XiAutoReplyRule     *rule,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (XI_IS_AUTO_REPLY_RULE (rule));

  _xi_store_push (self, save_rule_func, xi_auto_reply_rule_copy (rule), g_object_unref,
                  xi_store_save_auto_reply_rule_async, cancellable, callback, user_data);
}

/**
 * xi_store_save_auto_reply_rule_finish:
 *
 * Returns: (transfer full): the rule as stored, with its id
 */
XiAutoReplyRule *
xi_store_save_auto_reply_rule_finish (XiStore       *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
delete_rule_func (XiStore  *self,
                  GTask    *task,
                  gpointer  data)
{
  g_autofree char *now = _xi_store_now ();
  GError *error = NULL;
  sqlite3_stmt *stmt;

  stmt = _xi_store_prepare (self,
                            "UPDATE auto_reply_rules SET deleted = 1, updated_at = ?3,"
                            " version = version + 1, sync_status = 'pending'"
                            " WHERE id = ?2 AND master_user_id = ?1 AND deleted = 0",
                            &error);
  if (stmt != NULL)
    {
      _xi_store_bind_text (stmt, 1, self->master_user_id);
      _xi_store_bind_text (stmt, 2, data);
      _xi_store_bind_text (stmt, 3, now);
      if (_xi_store_step_done (self, stmt, &error))
        {
          if (sqlite3_changes (self->db) > 0)
            g_task_return_boolean (task, TRUE);
          else
            g_task_return_new_error (task, XI_STORE_ERROR, XI_STORE_ERROR_NOT_FOUND,
                                     _("The auto-reply rule no longer exists."));
          return;
        }
    }
  g_task_return_error (task, error);
}

/**
 * xi_store_delete_auto_reply_rule_async:
 * @self: a #XiStore
 * @rule_id: the rule
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Deletes a rule; it answers nothing any more.
 */
void
xi_store_delete_auto_reply_rule_async (XiStore             *self,
                                       const char          *rule_id,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (rule_id != NULL);

  _xi_store_push (self, delete_rule_func, g_strdup (rule_id), g_free,
                  xi_store_delete_auto_reply_rule_async, cancellable, callback, user_data);
}

gboolean
xi_store_delete_auto_reply_rule_finish (XiStore       *self,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Answers sent */

typedef struct
{
  char  *phone;
  guint  within_seconds;
} LastOp;

typedef struct
{
  gint64 last;      /* Unix seconds, 0: none in the window */
  guint  in_a_day;  /* answers in the last 24 hours */
} LastAnswers;

#define A_DAY (24 * 60 * 60)

static void
last_op_free (LastOp *op)
{
  g_free (op->phone);
  g_free (op);
}

static void
last_auto_reply_func (XiStore  *self,
                      GTask    *task,
                      gpointer  data)
{
  LastOp *op = data;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) cutoff = g_date_time_add_seconds (now, -(gdouble)MAX (op->within_seconds, A_DAY));
  g_autoptr(GDateTime) day_ago = g_date_time_add_seconds (now, -(gdouble)A_DAY);
  g_autofree char *since = g_date_time_format (cutoff, "%Y-%m-%dT%H:%M:%S.000Z");
  g_autofree char *since_day = g_date_time_format (day_ago, "%Y-%m-%dT%H:%M:%S.000Z");
  gint64 window_start = g_date_time_to_unix (now) - op->within_seconds;
  LastAnswers answers = { 0, 0 };
  GError *error = NULL;
  sqlite3_stmt *stmt;
  int rc;

  /* The time index narrows the log to the window; the join by primary
   * key finds each answer's number. */
  stmt = _xi_store_prepare (self,
                            "SELECT max (h.created_at), total (h.created_at >= ?4)"
                            " FROM history h JOIN incoming_messages m"
                            " ON m.id = json_extract (h.details, '$.incoming_id')"
                            " WHERE h.master_user_id = ?1 AND h.created_at >= ?3"
                            " AND h.kind = 'auto-reply.sent' AND m.phone = ?2",
                            &error);
  if (stmt == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  _xi_store_bind_text (stmt, 1, self->master_user_id);
  _xi_store_bind_text (stmt, 2, op->phone);
  _xi_store_bind_text (stmt, 3, since);
  _xi_store_bind_text (stmt, 4, since_day);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    {
      g_autoptr(GDateTime) last = g_date_time_new_from_iso8601 ((const char *)sqlite3_column_text (stmt, 0),
                                                                NULL);

      if (last != NULL && g_date_time_to_unix (last) >= window_start)
        answers.last = g_date_time_to_unix (last);
      answers.in_a_day = (guint) CLAMP (sqlite3_column_double (stmt, 1), 0, G_MAXUINT);
    }
  else if (rc != SQLITE_ROW)
    _xi_store_set_error (self, rc, &error);
  sqlite3_reset (stmt);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_memdup2 (&answers, sizeof answers), g_free);
}

/**
 * xi_store_last_auto_reply_async:
 * @self: a #XiStore
 * @phone: a number, digits
 * @within_seconds: how far back to look
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Finds when the last automatic answer went to @phone, for the cooldown,
 * and how many went to it in the last 24 hours.
 */
void
xi_store_last_auto_reply_async (XiStore             *self,
                                const char          *phone,
                                guint                within_seconds,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  LastOp *op;

  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (phone != NULL);

  op = g_new0 (LastOp, 1);
  op->phone = g_strdup (phone);
  op->within_seconds = within_seconds;
  _xi_store_push_read (self, last_auto_reply_func, op, (GDestroyNotify)last_op_free,
                       xi_store_last_auto_reply_async, cancellable, callback, user_data);
}

/**
 * xi_store_last_auto_reply_finish:
 * @in_a_day: (out) (optional): set to the number of answers @phone got in
 *   the last 24 hours
 *
 * Returns: Unix seconds of the last answer in the window, 0 when there was
 *   none (or on error)
 */
gint64
xi_store_last_auto_reply_finish (XiStore       *self,
                                 GAsyncResult  *result,
                                 guint         *in_a_day,
                                 GError       **error)
{
  g_autofree LastAnswers *answers = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);

  answers = g_task_propagate_pointer (G_TASK (result), error);
  if (in_a_day != NULL)
    *in_a_day = answers != NULL ? answers->in_a_day : 0;
  return answers != NULL ? answers->last : 0;
}

/* XI_TEST_FAIL_AUTO_REPLY_COUNT=N (or "once", for 1) makes the first N
 * counts after it was set fail as they do while another process keeps
 * the database busy; it is never set otherwise. */
static gboolean
test_fails_count (XiStore  *self,
                  GError  **error)
{
  const char *fail = _xi_store_test_setting (self, XI_STORE_TEST_FAIL_AUTO_REPLY_COUNT);
  guint64 failures = 0;

  if (fail == NULL)
    return FALSE;
  if (g_strcmp0 (fail, "once") == 0)
    failures = 1;
  else if (!g_ascii_string_to_unsigned (fail, 10, 1, G_MAXINT, &failures, NULL))
    return FALSE;
  if ((guint64) g_atomic_int_add (&self->test_counts_failed, 1) >= failures)
    return FALSE;
  g_set_error_literal (error, XI_STORE_ERROR, XI_STORE_ERROR_BUSY, "XI_TEST_FAIL_AUTO_REPLY_COUNT");
  return TRUE;
}

static void
count_auto_replies_func (XiStore  *self,
                         GTask    *task,
                         gpointer  data)
{
  const char *since = data;
  GError *error = NULL;
  sqlite3_stmt *stmt;
  int rc;

  if (test_fails_count (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  stmt = _xi_store_prepare (self,
                            "SELECT count (*) FROM history WHERE master_user_id = ?1"
                            " AND created_at >= ?2 AND kind = 'auto-reply.sent'",
                            &error);
  if (stmt == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  _xi_store_bind_text (stmt, 1, self->master_user_id);
  _xi_store_bind_text (stmt, 2, since);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    g_task_return_int (task, sqlite3_column_int64 (stmt, 0));
  else
    {
      _xi_store_set_error (self, rc, &error);
      g_task_return_error (task, error);
    }
  sqlite3_reset (stmt);
}

/**
 * xi_store_count_auto_replies_async:
 * @self: a #XiStore
 * @since: from when
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Counts the automatic answers sent since @since, by any process on
 * this store, for the daily cap.
 */
void
xi_store_count_auto_replies_async (XiStore             *self,
                                   GDateTime           *since,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GDateTime) utc = NULL;

  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (since != NULL);

  utc = g_date_time_to_utc (since);
  _xi_store_push_read (self, count_auto_replies_func, g_date_time_format (utc, "%Y-%m-%dT%H:%M:%S.000Z"),
                       g_free, xi_store_count_auto_replies_async, cancellable, callback, user_data);
}

/**
 * xi_store_count_auto_replies_finish:
 *
 * Returns: how many, or -1 with @error set
 */
gint64
xi_store_count_auto_replies_finish (XiStore       *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), -1);
  return g_task_propagate_int (G_TASK (result), error);
}

typedef struct
{
  char *rule_id;
  char *rule_name;
  char *incoming_id;
  char *phone;
  char *contact_id;
  char *message_id;
  char *reply_text;
  char *incoming_message_id;
} AnswerOp;

static void
answer_op_free (AnswerOp *op)
{
  g_free (op->rule_id);
  g_free (op->rule_name);
  g_free (op->incoming_id);
  g_free (op->phone);
  g_free (op->contact_id);
  g_free (op->message_id);
  g_free (op->reply_text);
  g_free (op->incoming_message_id);
  g_free (op);
}

static void
record_auto_reply_func (XiStore  *self,
                        GTask    *task,
                        gpointer  data)
{
  AnswerOp *op = data;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *details = NULL;
  g_autofree char *masked = _xi_store_mask_phone (op->phone);
  g_autofree char *summary = NULL;
  g_autofree char *id = _xi_store_new_id ();
  g_autofree char *now = _xi_store_now ();
  GError *error = NULL;
  sqlite3_stmt *stmt;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "rule_id");
  json_builder_add_string_value (builder, op->rule_id);
  json_builder_set_member_name (builder, "incoming_id");
  json_builder_add_string_value (builder, op->incoming_id);
  json_builder_set_member_name (builder, "message_id");
  json_builder_add_string_value (builder, op->message_id);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  details = json_generator_to_data (generator, NULL);

  /* Translators: the first %s is the rule's name, the second a phone
   * number with the middle hidden */
  summary = g_strdup_printf (_("Auto-reply “%s” sent to %s"), op->rule_name, masked);

  if (!_xi_store_begin (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  stmt = _xi_store_prepare (self,
                            "INSERT INTO history (id, master_user_id, created_at, updated_at,"
                            " kind, contact_id, summary, details)"
                            " VALUES (?1, ?2, ?3, ?3, 'auto-reply.sent', ?4, ?5, ?6)",
                            &error);
  if (stmt == NULL)
    goto failed;
  _xi_store_bind_text (stmt, 1, id);
  _xi_store_bind_text (stmt, 2, self->master_user_id);
  _xi_store_bind_text (stmt, 3, now);
  _xi_store_bind_text (stmt, 4, op->contact_id);
  _xi_store_bind_text (stmt, 5, summary);
  _xi_store_bind_text (stmt, 6, details);
  if (!_xi_store_step_done (self, stmt, &error))
    goto failed;

  /* The conversation shows the answer, and its receipts find it. */
  stmt = _xi_store_prepare (self,
                            "INSERT INTO outgoing_messages (id, master_user_id, created_at, updated_at,"
                            " wa_message_id, phone, contact_id, kind, text, reply_to, rule_name, state,"
                            " sent_at) VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6, 'auto_reply', ?7, ?8, ?9,"
                            " 'sent', ?3) ON CONFLICT DO NOTHING",
                            &error);
  if (stmt == NULL)
    goto failed;
  _xi_store_bind_text (stmt, 1, id);
  _xi_store_bind_text (stmt, 2, self->master_user_id);
  _xi_store_bind_text (stmt, 3, now);
  _xi_store_bind_text (stmt, 4, op->message_id);
  _xi_store_bind_text (stmt, 5, op->phone);
  _xi_store_bind_text (stmt, 6, op->contact_id);
  _xi_store_bind_text (stmt, 7, op->reply_text);
  _xi_store_bind_text (stmt, 8, op->incoming_message_id);
  _xi_store_bind_text (stmt, 9, op->rule_name);
  if (!_xi_store_step_done (self, stmt, &error) || !_xi_store_commit (self, &error))
    goto failed;

  g_task_return_boolean (task, TRUE);
  return;

failed:
  _xi_store_rollback (self);
  g_task_return_error (task, error);
}

/**
 * xi_store_record_auto_reply_async:
 * @self: a #XiStore
 * @rule: the rule that answered
 * @incoming: the message it answered
 * @reply_message_id: the answer's WhatsApp message id
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Writes an answer that went out in the activity log, where
 * xi_store_last_auto_reply_async() finds it.
 */
void
xi_store_record_auto_reply_async (XiStore             *self,
                                  XiAutoReplyRule     *rule,
                                  XiIncoming          *incoming,
                                  const char          *reply_message_id,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  AnswerOp *op;

  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (XI_IS_AUTO_REPLY_RULE (rule));
  g_return_if_fail (XI_IS_INCOMING (incoming));

  op = g_new0 (AnswerOp, 1);
  op->rule_id = g_strdup (xi_auto_reply_rule_get_id (rule));
  op->rule_name = g_strdup (xi_auto_reply_rule_get_name (rule));
  op->incoming_id = g_strdup (xi_incoming_get_id (incoming));
  op->phone = g_strdup (xi_incoming_get_phone (incoming));
  op->contact_id = g_strdup (xi_incoming_get_contact_id (incoming));
  op->message_id = g_strdup (reply_message_id);
  op->reply_text = g_strdup (xi_auto_reply_rule_get_reply_text (rule));
  op->incoming_message_id = g_strdup (xi_incoming_get_message_id (incoming));
  _xi_store_push (self, record_auto_reply_func, op, (GDestroyNotify)answer_op_free,
                  xi_store_record_auto_reply_async, cancellable, callback, user_data);
}

gboolean
xi_store_record_auto_reply_finish (XiStore       *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
