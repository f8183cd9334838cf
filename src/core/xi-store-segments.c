/* xi-store-segments.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-store-segments"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "xi-store-private.h"

/*
 * Audiences on the store thread: contacts chosen by a filter, with the
 * conditions only the store can answer (groups, messages sent, replies)
 * resolved here, and the filters saved as segments.
 */

/* Resolving */

/* The ids in the first column of @stmt's rows, ?1 bound to the user. */
static GHashTable *
collect_ids (XiStore       *self,
             sqlite3_stmt  *stmt,
             GError       **error)
{
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    if (sqlite3_column_type (stmt, 0) != SQLITE_NULL)
      g_hash_table_add (ids, g_strdup ((const char *)sqlite3_column_text (stmt, 0)));
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      _xi_store_set_error (self, rc, error);
      return NULL;
    }
  return g_steal_pointer (&ids);
}

/* Whether @sql, ?1 the user and ?2 @name, finds a row. */
static gboolean
name_exists (XiStore     *self,
             const char  *sql,
             const char  *name,
             gboolean    *exists,
             GError     **error)
{
  sqlite3_stmt *stmt = _xi_store_prepare (self, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  _xi_store_bind_text (stmt, 1, self->master_user_id);
  _xi_store_bind_text (stmt, 2, name);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _xi_store_set_error (self, rc, error);
      return FALSE;
    }
  *exists = rc == SQLITE_ROW;
  return TRUE;
}

#define GROUP_BY_NAME \
  "SELECT id FROM groups WHERE master_user_id = ?1 AND deleted = 0 AND name = ?2 COLLATE NOCASE"
/* A campaign by name, or by the start of its id as "campaign status" shows it. */
#define JOBS_BY_NAME \
  "SELECT id FROM jobs WHERE master_user_id = ?1 AND deleted = 0" \
  " AND (name = ?2 COLLATE NOCASE OR (length (?2) >= 8 AND substr (id, 1, length (?2)) = ?2))"

/* Whether a group is called @name; an error says there is none. */
static gboolean
group_exists (XiStore     *self,
              const char  *name,
              GError     **error)
{
  gboolean exists = TRUE;

  if (!name_exists (self, GROUP_BY_NAME, name, &exists, error))
    return FALSE;
  if (!exists)
    g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_NOT_FOUND, _("There is no group “%s”."), name);
  return exists;
}

/* The #XiContactFilterResolveFunc of a store, on its thread. */
GHashTable *
_xi_store_resolve_filter_set (XiContactFilterSet   set,
                              const char          *name,
                              gpointer             user_data,
                              GError             **error)
{
  XiStore *self = user_data;
  const char *sql;
  sqlite3_stmt *stmt;
  gboolean exists = TRUE;

  switch (set)
    {
    case XI_CONTACT_FILTER_SET_GROUP:
      if (!group_exists (self, name, error))
        return NULL;
      /* The group itself, not its members: a million members would be
       * a million strings held as long as the filter lives, where SQL
       * and a contact's own group ids decide membership by the id. */
      sql = GROUP_BY_NAME;
      break;
    case XI_CONTACT_FILTER_SET_REPLIED:
      if (!name_exists (self, JOBS_BY_NAME, name, &exists, error))
        return NULL;
      if (!exists)
        {
          g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_NOT_FOUND,
                       _("There is no campaign “%s”."), name);
          return NULL;
        }
      sql = "SELECT i.contact_id FROM incoming_messages i WHERE i.master_user_id = ?1"
            " AND i.deleted = 0 AND i.job_id IN (" JOBS_BY_NAME ")";
      break;
    case XI_CONTACT_FILTER_SET_MESSAGED:
    default:
      /* A message counts once it left; one still queued or refused was
       * never seen by the customer. */
      sql = "SELECT r.contact_id FROM job_recipients r WHERE r.master_user_id = ?1"
            " AND r.deleted = 0 AND (r.state = 'sent' OR r.state = 'delivered' OR r.state = 'read')";
      break;
    }

  if ((stmt = _xi_store_prepare (self, sql, error)) == NULL)
    return NULL;
  _xi_store_bind_text (stmt, 1, self->master_user_id);
  if (set != XI_CONTACT_FILTER_SET_MESSAGED)
    _xi_store_bind_text (stmt, 2, name);
  return collect_ids (self, stmt, error);
}

/**
 * _xi_store_filter_contacts:
 * @self: a store, on its thread
 * @filter: a filter no other thread uses
 * @error: return location for an error
 *
 * Returns: (transfer container) (element-type XiContact): the live
 *   contacts that match @filter, sorted as listed
 */
GPtrArray *
_xi_store_filter_contacts (XiStore          *self,
                           XiContactFilter  *filter,
                           GError          **error)
{
  g_autoptr(GArray) keys = NULL;

  _xi_store_assert_thread (self);

  /* SQL decides who matches (xi_contact_filter_append_fields_sql ()),
   * so only the contacts chosen are built. */
  if ((keys = _xi_store_list_contact_keys (self, NULL, filter, NULL, error)) == NULL)
    return NULL;
  return _xi_store_load_contact_keys (self, (const gint64 *)(gpointer)keys->data, keys->len, error);
}

static void
filter_contacts_func (XiStore  *self,
                      GTask    *task,
                      gpointer  data)
{
  GError *error = NULL;
  GPtrArray *contacts = _xi_store_filter_contacts (self, data, &error);

  if (contacts == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, contacts, (GDestroyNotify)g_ptr_array_unref);
}

/**
 * xi_store_filter_contacts_async:
 * @self: a #XiStore
 * @filter: the audience; it is resolved against this store, so it must
 *   not be used elsewhere until the call finishes
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Loads the live contacts that match @filter, conditions on groups,
 * messages and replies included, sorted as xi_store_list_contacts_async()
 * sorts them. A group or campaign that does not exist is an error.
 */
void
xi_store_filter_contacts_async (XiStore             *self,
                                XiContactFilter     *filter,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (filter != NULL);

  _xi_store_push_read (self, filter_contacts_func, xi_contact_filter_ref (filter),
                       (GDestroyNotify)xi_contact_filter_unref, xi_store_filter_contacts_async,
                       cancellable, callback, user_data);
}

/**
 * xi_store_filter_contacts_finish:
 *
 * Returns: (transfer container) (element-type XiContact): the contacts
 */
GPtrArray *
xi_store_filter_contacts_finish (XiStore       *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
filter_contact_ids_func (XiStore  *self,
                         GTask    *task,
                         gpointer  data)
{
  g_autoptr(GArray) keys = NULL;
  GError *error = NULL;
  char **ids = NULL;

  if ((keys = _xi_store_list_contact_keys (self, NULL, data, g_task_get_cancellable (task), &error)) != NULL)
    ids = _xi_store_contact_ids_of_keys (self, (const gint64 *)(gpointer)keys->data, keys->len, &error);
  if (ids == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, ids, (GDestroyNotify)g_strfreev);
}

/**
 * xi_store_filter_contact_ids_async:
 * @self: a #XiStore
 * @filter: the audience; it is resolved against this store, so it must
 *   not be used elsewhere until the call finishes
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * As xi_store_filter_contacts_async(), for a caller that needs only who
 * matches: the ids, without building a contact, which for a segment of a
 * million is a million objects and their groups.
 */
void
xi_store_filter_contact_ids_async (XiStore             *self,
                                   XiContactFilter     *filter,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (filter != NULL);

  _xi_store_push_read (self, filter_contact_ids_func, xi_contact_filter_ref (filter),
                       (GDestroyNotify)xi_contact_filter_unref, xi_store_filter_contact_ids_async,
                       cancellable, callback, user_data);
}

/**
 * xi_store_filter_contact_ids_finish:
 *
 * Returns: (transfer full): the ids of the live contacts that match, in
 *   list order
 */
char **
xi_store_filter_contact_ids_finish (XiStore       *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
resolve_filter_func (XiStore  *self,
                     GTask    *task,
                     gpointer  data)
{
  GError *error = NULL;

  if (xi_contact_filter_resolve (data, _xi_store_resolve_filter_set, self, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * xi_store_resolve_filter_async:
 * @self: a #XiStore
 * @filter: the audience; its conditions on groups, messages and replies
 *   are resolved into sets of contacts, so it must not be used elsewhere
 *   until the call finishes
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Lets a caller that holds the contacts test them against @filter
 * itself: only the sets the store alone knows are read, not the contacts.
 * A group or campaign that does not exist is an error.
 */
void
xi_store_resolve_filter_async (XiStore             *self,
                               XiContactFilter     *filter,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (filter != NULL);

  _xi_store_push_read (self, resolve_filter_func, xi_contact_filter_ref (filter),
                       (GDestroyNotify)xi_contact_filter_unref, xi_store_resolve_filter_async,
                       cancellable, callback, user_data);
}

/**
 * xi_store_resolve_filter_finish:
 *
 * Returns: whether every condition of the filter was resolved
 */
gboolean
xi_store_resolve_filter_finish (XiStore       *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Segments */

static char *
conditions_to_json (const char * const *conditions)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; conditions[i] != NULL; i++)
    json_builder_add_string_value (builder, conditions[i]);
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

/**
 * _xi_store_segment_to_json:
 * @segment: a segment
 *
 * Returns: (transfer full): what a campaign made for @segment records of
 *   it in its activity: `{"segment": {"id", "name", "conditions"}}`
 */
char *
_xi_store_segment_to_json (const XiSegment *segment)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "segment");
  json_builder_begin_object (builder);
  xi_segment_add_members (segment, builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static XiSegment *
segment_from_row (sqlite3_stmt *stmt)
{
  g_autoptr(JsonNode) root = json_from_string ((const char *)sqlite3_column_text (stmt, 2), NULL);
  g_autoptr(GPtrArray) conditions = g_ptr_array_new_null_terminated (0, NULL, TRUE);

  if (root != NULL && JSON_NODE_HOLDS_ARRAY (root))
    {
      JsonArray *array = json_node_get_array (root);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          const char *text = json_array_get_string_element (array, i);

          if (text != NULL)
            g_ptr_array_add (conditions, (gpointer)text);
        }
    }

  return xi_segment_new ((const char *)sqlite3_column_text (stmt, 0),
                         (const char *)sqlite3_column_text (stmt, 1),
                         (const char * const *)conditions->pdata);
}

typedef struct
{
  char  *name;
  char **conditions;
} SegmentOp;

static void
segment_op_free (gpointer data)
{
  SegmentOp *op = data;

  g_free (op->name);
  g_strfreev (op->conditions);
  g_free (op);
}

static void
add_segment_func (XiStore  *self,
                  GTask    *task,
                  gpointer  data)
{
  SegmentOp *op = data;
  g_autofree char *id = _xi_store_new_id ();
  g_autofree char *now = _xi_store_now ();
  g_autofree char *json = conditions_to_json ((const char * const *)op->conditions);
  GError *error = NULL;
  gboolean exists;
  sqlite3_stmt *stmt;

  if (!_xi_store_begin (self, &error) ||
      !name_exists (self, "SELECT id FROM segments WHERE master_user_id = ?1 AND deleted = 0"
                    " AND name = ?2 COLLATE NOCASE", op->name, &exists, &error))
    goto failed;
  if (exists)
    {
      g_set_error (&error, XI_STORE_ERROR, XI_STORE_ERROR_DUPLICATE,
                   _("There is already a segment “%s”."), op->name);
      goto failed;
    }

  stmt = _xi_store_prepare (self,
                            "INSERT INTO segments (id, master_user_id, created_at, updated_at,"
                            " name, conditions) VALUES (?1, ?2, ?3, ?3, ?4, ?5)",
                            &error);
  if (stmt == NULL)
    goto failed;
  _xi_store_bind_text (stmt, 1, id);
  _xi_store_bind_text (stmt, 2, self->master_user_id);
  _xi_store_bind_text (stmt, 3, now);
  _xi_store_bind_text (stmt, 4, op->name);
  _xi_store_bind_text (stmt, 5, json);
  if (!_xi_store_step_done (self, stmt, &error) ||
      !_xi_store_log_activity (self, "segment.created", op->name, NULL, &error) ||
      !_xi_store_commit (self, &error))
    goto failed;

  g_task_return_pointer (task, xi_segment_new (id, op->name, (const char * const *)op->conditions),
                         (GDestroyNotify)xi_segment_free);
  return;

failed:
  _xi_store_rollback (self);
  g_task_return_error (task, error);
}

/**
 * xi_store_add_segment_async:
 * @self: a #XiStore
 * @name: the segment's name, unique ignoring case
 * @filter: the audience; its conditions are saved, not its result
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Saves @filter as a segment named @name.
 */
void
xi_store_add_segment_async (XiStore             *self,
                            const char          *name,
                            XiContactFilter     *filter,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autofree char *trimmed = NULL;
  SegmentOp *op;

  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (name != NULL);
  g_return_if_fail (filter != NULL);

  trimmed = g_strstrip (g_strdup (name));
  if (trimmed[0] == '\0' || xi_contact_filter_is_empty (filter))
    {
      g_task_report_new_error (self, callback, user_data, xi_store_add_segment_async,
                               XI_STORE_ERROR, XI_STORE_ERROR_INVALID, "%s",
                               trimmed[0] == '\0' ? _("A segment needs a name.")
                                                  : _("A segment needs at least one condition."));
      return;
    }

  op = g_new0 (SegmentOp, 1);
  op->name = g_steal_pointer (&trimmed);
  op->conditions = g_strdupv ((char **)xi_contact_filter_get_conditions (filter));
  _xi_store_push (self, add_segment_func, op, segment_op_free, xi_store_add_segment_async,
                  cancellable, callback, user_data);
}

/**
 * xi_store_add_segment_finish:
 *
 * Returns: (transfer full): the segment saved
 */
XiSegment *
xi_store_add_segment_finish (XiStore       *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
list_segments_func (XiStore  *self,
                    GTask    *task,
                    gpointer  data)
{
  GError *error = NULL;
  GPtrArray *segments = _xi_store_query_rows (self,
                                              "SELECT id, name, conditions FROM segments"
                                              " WHERE master_user_id = ?1 AND deleted = 0"
                                              " ORDER BY name COLLATE NOCASE",
                                              (XiStoreRowFunc)segment_from_row,
                                              (GDestroyNotify)xi_segment_free, &error);

  if (segments == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, segments, (GDestroyNotify)g_ptr_array_unref);
}

/**
 * xi_store_list_segments_async:
 * @self: a #XiStore
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Loads the current user's segments, sorted by name.
 */
void
xi_store_list_segments_async (XiStore             *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));

  _xi_store_push_read (self, list_segments_func, NULL, NULL, xi_store_list_segments_async,
                       cancellable, callback, user_data);
}

/**
 * xi_store_list_segments_finish:
 *
 * Returns: (transfer container) (element-type XiSegment): the segments
 */
GPtrArray *
xi_store_list_segments_finish (XiStore       *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
delete_segment_func (XiStore  *self,
                     GTask    *task,
                     gpointer  data)
{
  const char *id = data;
  g_autofree char *now = _xi_store_now ();
  GError *error = NULL;
  sqlite3_stmt *stmt;

  if (!_xi_store_begin (self, &error))
    goto failed;
  stmt = _xi_store_prepare (self,
                            "UPDATE segments SET deleted = 1, updated_at = ?3,"
                            " version = version + 1, sync_status = 'pending'"
                            " WHERE id = ?1 AND master_user_id = ?2 AND deleted = 0",
                            &error);
  if (stmt == NULL)
    goto failed;
  _xi_store_bind_text (stmt, 1, id);
  _xi_store_bind_text (stmt, 2, self->master_user_id);
  _xi_store_bind_text (stmt, 3, now);
  if (!_xi_store_step_done (self, stmt, &error))
    goto failed;
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (&error, XI_STORE_ERROR, XI_STORE_ERROR_NOT_FOUND, "%s",
                   _("The segment no longer exists."));
      goto failed;
    }
  if (!_xi_store_commit (self, &error))
    goto failed;

  g_task_return_boolean (task, TRUE);
  return;

failed:
  _xi_store_rollback (self);
  g_task_return_error (task, error);
}

/**
 * xi_store_delete_segment_async:
 * @self: a #XiStore
 * @segment_id: the segment
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Deletes a segment. Campaigns made from it keep their recipients: a
 * segment was evaluated when each of them was created.
 */
void
xi_store_delete_segment_async (XiStore             *self,
                               const char          *segment_id,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (segment_id != NULL);

  _xi_store_push (self, delete_segment_func, g_strdup (segment_id), g_free,
                  xi_store_delete_segment_async, cancellable, callback, user_data);
}

gboolean
xi_store_delete_segment_finish (XiStore       *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
