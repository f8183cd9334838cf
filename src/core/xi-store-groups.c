/* xi-store-groups.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-store-groups"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-group-private.h"
#include "xi-limits.h"
#include "xi-store-private.h"

/* Contact groups and memberships, on the store thread. */

/*
 * A group's live members are its live memberships less those of deleted
 * contacts. Memberships of a contact are removed with it, except for a
 * moment while sync applies a pull (the contact's row first, its
 * memberships after), so the second term is nearly always empty. The
 * first is counted from the membership key alone and the second from
 * the deleted contacts (contacts_order), read once for every group:
 * joining each membership to its contact instead cost 1.1 s at each
 * start with a million contacts in one group; this costs 0.14 s.
 */
#define GROUP_COLUMNS \
  "g.id, g.name, g.description, g.colour, g.version," \
  " (SELECT count (*) FROM group_members m WHERE m.group_id = g.id AND m.deleted = 0)" \
  "  - ifnull (gone.members, 0)"
#define GROUP_FROM \
  " FROM groups g LEFT JOIN (SELECT m.group_id, count (*) AS members" \
  "  FROM contacts c CROSS JOIN group_members m ON m.contact_id = c.id" \
  "  WHERE c.master_user_id = ?1 AND c.deleted = 1 AND m.deleted = 0" \
  "  GROUP BY m.group_id) gone ON gone.group_id = g.id"

static XiGroup *
group_from_row (sqlite3_stmt *stmt)
{
  return _xi_group_new_from_store ((const char *)sqlite3_column_text (stmt, 0),
                                   (const char *)sqlite3_column_text (stmt, 1),
                                   (const char *)sqlite3_column_text (stmt, 2),
                                   (const char *)sqlite3_column_text (stmt, 3),
                                   (guint)sqlite3_column_int (stmt, 5),
                                   sqlite3_column_int64 (stmt, 4));
}

static XiGroup *
load_group (XiStore     *self,
            const char  *id,
            GError     **error)
{
  return _xi_store_query_one (self,
                              "SELECT " GROUP_COLUMNS GROUP_FROM
                              " WHERE g.master_user_id = ?1 AND g.id = ?2 AND g.deleted = 0",
                              id, (XiStoreRowFunc)group_from_row,
                              _("The group no longer exists."), error);
}

static gboolean
find_group_by_name (XiStore     *self,
                    const char  *name,
                    char       **id,
                    GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = _xi_store_prepare (self,
                            "SELECT id FROM groups WHERE master_user_id = ?1"
                            " AND name = ?2 COLLATE NOCASE AND deleted = 0",
                            error);
  if (stmt == NULL)
    return FALSE;

  _xi_store_bind_text (stmt, 1, self->master_user_id);
  _xi_store_bind_text (stmt, 2, name);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *id = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _xi_store_set_error (self, rc, error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
insert_group (XiStore     *self,
              const char  *id,
              const char  *name,
              const char  *description,
              const char  *colour,
              const char  *now,
              GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = _xi_store_prepare (self,
                            "INSERT INTO groups (id, master_user_id, created_at, updated_at,"
                            " name, description, colour) VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6)",
                            error);
  if (stmt == NULL)
    return FALSE;

  _xi_store_bind_text (stmt, 1, id);
  _xi_store_bind_text (stmt, 2, self->master_user_id);
  _xi_store_bind_text (stmt, 3, now);
  _xi_store_bind_text (stmt, 4, name);
  _xi_store_bind_text (stmt, 5, description);
  _xi_store_bind_text (stmt, 6, colour);

  return _xi_store_step_done (self, stmt, error);
}

/**
 * _xi_store_ensure_group:
 * @self: a #XiStore
 * @name: a group name
 * @cache: name → id, so a 100,000-row import looks each group up once
 * @group_id: (out) (transfer none): the id, owned by @cache
 * @error: return location for a #GError
 *
 * Finds a group by name (ignoring case) or creates it.
 */
gboolean
_xi_store_ensure_group (XiStore     *self,
                        const char  *name,
                        GHashTable  *cache,
                        const char **group_id,
                        GError     **error)
{
  g_autofree char *key = g_utf8_casefold (name, -1);
  g_autofree char *id = NULL;
  g_autofree char *now = NULL;

  *group_id = g_hash_table_lookup (cache, key);
  if (*group_id != NULL)
    return TRUE;

  if (!find_group_by_name (self, name, &id, error))
    return FALSE;

  if (id == NULL)
    {
      now = _xi_store_now ();
      id = _xi_store_new_id ();
      if (!insert_group (self, id, name, NULL, NULL, now, error))
        return FALSE;
    }

  *group_id = id;
  g_hash_table_insert (cache, g_steal_pointer (&key), g_steal_pointer (&id));
  return TRUE;
}

/**
 * _xi_store_add_member:
 * @added: (out) (optional): whether a live membership was created
 *
 * Adds or revives one membership under its derived id.
 */
gboolean
_xi_store_add_member (XiStore     *self,
                      const char  *group_id,
                      const char  *contact_id,
                      const char  *now,
                      gboolean    *added,
                      GError     **error)
{
  g_autofree char *id = _xi_store_derived_id (self, "member", group_id, contact_id);
  sqlite3_stmt *stmt;

  stmt = _xi_store_prepare (self,
                            "INSERT INTO group_members (id, master_user_id, created_at,"
                            " updated_at, group_id, contact_id) VALUES (?1, ?2, ?3, ?3, ?4, ?5)"
                            XI_STORE_MEMBER_REVIVE,
                            error);
  if (stmt == NULL)
    return FALSE;

  _xi_store_bind_text_static (stmt, 1, id);
  _xi_store_bind_text_static (stmt, 2, self->master_user_id);
  _xi_store_bind_text_static (stmt, 3, now);
  _xi_store_bind_text_static (stmt, 4, group_id);
  _xi_store_bind_text_static (stmt, 5, contact_id);

  if (!_xi_store_step_done (self, stmt, error))
    return FALSE;

  /* For an import that paused the insert trigger (xi-store-changes.c);
   * a row named twice is announced once. */
  if (sqlite3_changes (self->db) > 0)
    _xi_store_changes_note (self, "group_members", id);
  if (added != NULL)
    *added = sqlite3_changes (self->db) > 0;
  return TRUE;
}

/* List */

static void
list_groups_func (XiStore  *self,
                  GTask    *task,
                  gpointer  data)
{
  _xi_store_return_rows (self, task,
                         "SELECT " GROUP_COLUMNS GROUP_FROM
                         " WHERE g.master_user_id = ?1 AND g.deleted = 0"
                         " ORDER BY g.name COLLATE NOCASE",
                         (XiStoreRowFunc)group_from_row);
}

/**
 * xi_store_list_groups_async:
 * @self: a #XiStore
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Loads every group with its number of live members, sorted by name.
 */
void
xi_store_list_groups_async (XiStore             *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));

  _xi_store_push_read (self, list_groups_func, NULL, NULL, xi_store_list_groups_async,
                       cancellable, callback, user_data);
}

/**
 * xi_store_list_groups_finish:
 *
 * Returns: (transfer container) (element-type XiGroup): the groups
 */
GPtrArray *
xi_store_list_groups_finish (XiStore       *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Save */

static gboolean
save_group (XiStore  *self,
            XiGroup  *group,
            char    **saved_id,
            GError  **error)
{
  g_autofree char *name = g_strstrip (g_strdup (xi_group_get_name (group) ?: ""));
  g_autofree char *other = NULL;
  g_autofree char *now = _xi_store_now ();
  g_autofree char *id = g_strdup (xi_group_get_id (group));
  sqlite3_stmt *stmt;

  if (name[0] == '\0')
    {
      g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID,
                   _("A group needs a name."));
      return FALSE;
    }
  if (!xi_limit_check_name (name, error))
    return FALSE;

  if (!find_group_by_name (self, name, &other, error))
    return FALSE;
  if (other != NULL && g_strcmp0 (other, id) != 0)
    {
      g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_DUPLICATE,
                   _("A group named “%s” already exists. Choose another name."), name);
      return FALSE;
    }

  if (id == NULL)
    {
      id = _xi_store_new_id ();
      if (!insert_group (self, id, name, xi_group_get_description (group),
                         xi_group_get_colour (group), now, error))
        return FALSE;
    }
  else
    {
      stmt = _xi_store_prepare (self,
                                "UPDATE groups SET name = ?3, description = ?4, colour = ?5,"
                                " updated_at = ?6, version = version + 1, sync_status = 'pending'"
                                " WHERE id = ?1 AND master_user_id = ?2 AND deleted = 0",
                                error);
      if (stmt == NULL)
        return FALSE;
      _xi_store_bind_text (stmt, 1, id);
      _xi_store_bind_text (stmt, 2, self->master_user_id);
      _xi_store_bind_text (stmt, 3, name);
      _xi_store_bind_text (stmt, 4, xi_group_get_description (group));
      _xi_store_bind_text (stmt, 5, xi_group_get_colour (group));
      _xi_store_bind_text (stmt, 6, now);
      if (!_xi_store_step_done (self, stmt, error))
        return FALSE;
      if (sqlite3_changes (self->db) == 0)
        {
          g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_NOT_FOUND,
                       _("The group no longer exists."));
          return FALSE;
        }
    }

  *saved_id = g_steal_pointer (&id);
  return TRUE;
}

static void
save_group_func (XiStore  *self,
                 GTask    *task,
                 gpointer  data)
{
  g_autofree char *id = NULL;
  GError *error = NULL;
  XiGroup *saved;

  if (!_xi_store_begin (self, &error) ||
      !save_group (self, data, &id, &error) ||
      (saved = load_group (self, id, &error)) == NULL ||
      !_xi_store_commit (self, &error))
    {
      _xi_store_rollback (self);
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, saved, g_object_unref);
}

/**
 * xi_store_save_group_async:
 * @self: a #XiStore
 * @group: the group to create (no id) or rename; copied at call time
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Names are unique per user, ignoring case (%XI_STORE_ERROR_DUPLICATE).
 */
void
xi_store_save_group_async (XiStore             *self,
                           XiGroup             *group,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (XI_IS_GROUP (group));

  _xi_store_push (self, save_group_func, xi_group_copy (group), g_object_unref,
                  xi_store_save_group_async, cancellable, callback, user_data);
}

/**
 * xi_store_save_group_finish:
 *
 * Returns: (transfer full): the group as stored
 */
XiGroup *
xi_store_save_group_finish (XiStore       *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Delete */

static void
delete_group_func (XiStore  *self,
                   GTask    *task,
                   gpointer  data)
{
  const char *id = data;
  g_autofree char *now = _xi_store_now ();
  g_autoptr(XiGroup) group = NULL;
  GError *error = NULL;
  sqlite3_stmt *stmt;

  if (!_xi_store_begin (self, &error) ||
      (group = load_group (self, id, &error)) == NULL)
    goto failed;

  stmt = _xi_store_prepare (self,
                            "UPDATE groups SET deleted = 1, updated_at = ?3,"
                            " version = version + 1, sync_status = 'pending'"
                            " WHERE id = ?1 AND master_user_id = ?2",
                            &error);
  if (stmt == NULL)
    goto failed;
  _xi_store_bind_text (stmt, 1, id);
  _xi_store_bind_text (stmt, 2, self->master_user_id);
  _xi_store_bind_text (stmt, 3, now);
  if (!_xi_store_step_done (self, stmt, &error))
    goto failed;

  stmt = _xi_store_prepare (self,
                            "UPDATE group_members SET deleted = 1, updated_at = ?3,"
                            " version = version + 1, sync_status = 'pending'"
                            " WHERE group_id = ?1 AND master_user_id = ?2 AND deleted = 0",
                            &error);
  if (stmt == NULL)
    goto failed;
  _xi_store_bind_text (stmt, 1, id);
  _xi_store_bind_text (stmt, 2, self->master_user_id);
  _xi_store_bind_text (stmt, 3, now);
  if (!_xi_store_step_done (self, stmt, &error) ||
      !_xi_store_log_activity (self, "group.deleted", xi_group_get_name (group), NULL, &error) ||
      !_xi_store_commit (self, &error))
    goto failed;

  g_task_return_boolean (task, TRUE);
  return;

failed:
  _xi_store_rollback (self);
  g_task_return_error (task, error);
}

/**
 * xi_store_delete_group_async:
 * @self: a #XiStore
 * @group_id: the group
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Deletes a group and its memberships; the contacts themselves stay.
 */
void
xi_store_delete_group_async (XiStore             *self,
                             const char          *group_id,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (group_id != NULL);

  _xi_store_push (self, delete_group_func, g_strdup (group_id), g_free,
                  xi_store_delete_group_async, cancellable, callback, user_data);
}

gboolean
xi_store_delete_group_finish (XiStore       *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Members */

typedef struct
{
  char   *group_id;
  char  **contact_ids;
} MembersOp;

static void
members_op_free (gpointer data)
{
  MembersOp *op = data;

  g_free (op->group_id);
  g_strfreev (op->contact_ids);
  g_free (op);
}

static MembersOp *
members_op_new (const char         *group_id,
                const char * const *contact_ids)
{
  MembersOp *op = g_new0 (MembersOp, 1);

  op->group_id = g_strdup (group_id);
  op->contact_ids = g_strdupv ((char **)contact_ids);
  return op;
}

static gboolean
contact_is_live (XiStore    *self,
                 const char *contact_id)
{
  sqlite3_stmt *stmt;
  gboolean live = FALSE;

  stmt = _xi_store_prepare (self,
                            "SELECT 1 FROM contacts WHERE id = ?1 AND master_user_id = ?2"
                            " AND deleted = 0",
                            NULL);
  if (stmt == NULL)
    return FALSE;
  _xi_store_bind_text (stmt, 1, contact_id);
  _xi_store_bind_text (stmt, 2, self->master_user_id);
  live = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_reset (stmt);

  return live;
}

static void
add_members_func (XiStore  *self,
                  GTask    *task,
                  gpointer  data)
{
  MembersOp *op = data;
  g_autofree char *now = _xi_store_now ();
  g_autoptr(XiGroup) group = NULL;
  GError *error = NULL;
  guint added = 0;

  if (!_xi_store_begin (self, &error) ||
      (group = load_group (self, op->group_id, &error)) == NULL)
    goto failed;

  for (guint i = 0; op->contact_ids[i] != NULL; i++)
    {
      gboolean was_added = FALSE;

      /* Only the current user's live contacts can join. */
      if (!contact_is_live (self, op->contact_ids[i]))
        continue;
      if (!_xi_store_add_member (self, op->group_id, op->contact_ids[i], now, &was_added, &error))
        goto failed;
      added += was_added;
    }

  if (!_xi_store_commit (self, &error))
    goto failed;

  g_task_return_int (task, added);
  return;

failed:
  _xi_store_rollback (self);
  g_task_return_error (task, error);
}

/**
 * xi_store_add_group_members_async:
 * @self: a #XiStore
 * @group_id: the group
 * @contact_ids: contacts to add; those already in the group are ignored
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 */
void
xi_store_add_group_members_async (XiStore             *self,
                                  const char          *group_id,
                                  const char * const  *contact_ids,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (group_id != NULL);
  g_return_if_fail (contact_ids != NULL);

  _xi_store_push (self, add_members_func, members_op_new (group_id, contact_ids),
                  members_op_free, xi_store_add_group_members_async,
                  cancellable, callback, user_data);
}

/**
 * xi_store_add_group_members_finish:
 *
 * Returns: how many contacts joined the group
 */
guint
xi_store_add_group_members_finish (XiStore       *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  gssize count;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);

  count = g_task_propagate_int (G_TASK (result), error);
  return count > 0 ? (guint)count : 0;
}

static void
remove_members_func (XiStore  *self,
                     GTask    *task,
                     gpointer  data)
{
  MembersOp *op = data;
  g_autofree char *now = _xi_store_now ();
  GError *error = NULL;
  guint removed = 0;

  if (!_xi_store_begin (self, &error))
    goto failed;

  for (guint i = 0; op->contact_ids[i] != NULL; i++)
    {
      sqlite3_stmt *stmt;

      stmt = _xi_store_prepare (self,
                                "UPDATE group_members SET deleted = 1, updated_at = ?4,"
                                " version = version + 1, sync_status = 'pending'"
                                " WHERE group_id = ?1 AND contact_id = ?2"
                                " AND master_user_id = ?3 AND deleted = 0",
                                &error);
      if (stmt == NULL)
        goto failed;
      _xi_store_bind_text (stmt, 1, op->group_id);
      _xi_store_bind_text (stmt, 2, op->contact_ids[i]);
      _xi_store_bind_text (stmt, 3, self->master_user_id);
      _xi_store_bind_text (stmt, 4, now);
      if (!_xi_store_step_done (self, stmt, &error))
        goto failed;
      removed += sqlite3_changes (self->db);
    }

  if (!_xi_store_commit (self, &error))
    goto failed;

  g_task_return_int (task, removed);
  return;

failed:
  _xi_store_rollback (self);
  g_task_return_error (task, error);
}

/**
 * xi_store_remove_group_members_async:
 * @self: a #XiStore
 * @group_id: the group
 * @contact_ids: contacts to take out of the group
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 */
void
xi_store_remove_group_members_async (XiStore             *self,
                                     const char          *group_id,
                                     const char * const  *contact_ids,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (group_id != NULL);
  g_return_if_fail (contact_ids != NULL);

  _xi_store_push (self, remove_members_func, members_op_new (group_id, contact_ids),
                  members_op_free, xi_store_remove_group_members_async,
                  cancellable, callback, user_data);
}

/**
 * xi_store_remove_group_members_finish:
 *
 * Returns: how many contacts left the group
 */
guint
xi_store_remove_group_members_finish (XiStore       *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  gssize count;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);

  count = g_task_propagate_int (G_TASK (result), error);
  return count > 0 ? (guint)count : 0;
}
