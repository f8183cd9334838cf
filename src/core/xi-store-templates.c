/* xi-store-templates.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-store-templates"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-contact-private.h"
#include "xi-limits.h"
#include "xi-store-private.h"
#include "xi-template-private.h"

/* Message templates, on the store thread. The store checks only what it
 * must keep consistent (a name, at least one variant); the syntax of each
 * variant is checked by xi-template-text where the user edits it. */

static XiTemplate *
template_from_row (sqlite3_stmt *stmt)
{
  g_auto(GStrv) variants = _xi_strv_from_json ((const char *)sqlite3_column_text (stmt, 2));
  g_auto(GStrv) asset_ids = _xi_strv_from_json ((const char *)sqlite3_column_text (stmt, 5));

  /* The column holds a list for the day a template carries more; the app
   * attaches one. */
  return _xi_template_new_from_store ((const char *)sqlite3_column_text (stmt, 0),
                                      (const char *)sqlite3_column_text (stmt, 1),
                                      (const char * const *)variants,
                                      asset_ids != NULL ? asset_ids[0] : NULL,
                                      sqlite3_column_int64 (stmt, 3),
                                      (const char *)sqlite3_column_text (stmt, 4));
}

XiTemplate *
_xi_store_load_template (XiStore     *self,
                         const char  *id,
                         GError     **error)
{
  return _xi_store_query_one (self,
                              "SELECT id, name, variants, version, updated_at, asset_ids FROM templates"
                              " WHERE master_user_id = ?1 AND id = ?2 AND deleted = 0",
                              id, (XiStoreRowFunc)template_from_row,
                              _("The template no longer exists."), error);
}

static void
list_templates_func (XiStore  *self,
                     GTask    *task,
                     gpointer  data)
{
  _xi_store_return_rows (self, task,
                         "SELECT id, name, variants, version, updated_at, asset_ids FROM templates"
                         " WHERE master_user_id = ?1 AND deleted = 0"
                         " ORDER BY name COLLATE NOCASE",
                         (XiStoreRowFunc)template_from_row);
}

/**
 * xi_store_list_templates_async:
 * @self: a #XiStore
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Loads every template of the current user, sorted by name.
 */
void
xi_store_list_templates_async (XiStore             *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));

  _xi_store_push_read (self, list_templates_func, NULL, NULL, xi_store_list_templates_async,
                       cancellable, callback, user_data);
}

/**
 * xi_store_list_templates_finish:
 *
 * Returns: (transfer container) (element-type XiTemplate): the templates
 */
GPtrArray *
xi_store_list_templates_finish (XiStore       *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
check_template (XiTemplate  *template_,
                const char  *name,
                GError     **error)
{
  const char * const *variants = xi_template_get_variants (template_);

  if (name[0] == '\0')
    {
      g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID,
                   _("A template needs a name."));
      return FALSE;
    }

  if (!xi_limit_check_name (name, error) || !xi_limit_check_variants (variants, error))
    return FALSE;

  if (variants == NULL || variants[0] == NULL)
    goto no_text;
  for (guint i = 0; variants[i] != NULL; i++)
    {
      g_autofree char *trimmed = g_strstrip (g_strdup (variants[i]));

      if (trimmed[0] == '\0')
        goto no_text;
    }
  return TRUE;

no_text:
  g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID,
               _("Every variant of a template needs some text."));
  return FALSE;
}

static gboolean
save_template (XiStore     *self,
               XiTemplate  *template_,
               char       **saved_id,
               GError     **error)
{
  g_autofree char *name = g_strstrip (g_strdup (xi_template_get_name (template_) ?: ""));
  g_autofree char *variants = _xi_strv_to_json (xi_template_get_variants (template_));
  const char *asset_ids_strv[] = { xi_template_get_asset_id (template_), NULL };
  g_autofree char *asset_ids = _xi_strv_to_json (asset_ids_strv);
  g_autoptr(XiAsset) asset = NULL;
  g_autofree char *now = _xi_store_now ();
  g_autofree char *id = g_strdup (xi_template_get_id (template_));
  sqlite3_stmt *stmt;

  if (!check_template (template_, name, error))
    return FALSE;
  if (asset_ids_strv[0] != NULL && (asset = _xi_store_load_asset (self, asset_ids_strv[0], error)) == NULL)
    return FALSE;

  if (id == NULL)
    {
      id = _xi_store_new_id ();
      stmt = _xi_store_prepare (self,
                                "INSERT INTO templates (id, master_user_id, created_at, updated_at,"
                                " name, variants, asset_ids) VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6)",
                                error);
    }
  else
    stmt = _xi_store_prepare (self,
                              "UPDATE templates SET updated_at = ?3, name = ?4, variants = ?5, asset_ids = ?6,"
                              " version = version + 1, sync_status = 'pending'"
                              " WHERE id = ?1 AND master_user_id = ?2 AND deleted = 0",
                              error);
  if (stmt == NULL)
    return FALSE;

  _xi_store_bind_text (stmt, 1, id);
  _xi_store_bind_text (stmt, 2, self->master_user_id);
  _xi_store_bind_text (stmt, 3, now);
  _xi_store_bind_text (stmt, 4, name);
  _xi_store_bind_text (stmt, 5, variants);
  _xi_store_bind_text (stmt, 6, asset_ids);

  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      gboolean duplicate = (sqlite3_errcode (self->db) & 0xff) == SQLITE_CONSTRAINT;

      if (duplicate)
        g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_DUPLICATE,
                     _("A template named “%s” already exists. Choose another name."), name);
      else
        _xi_store_set_error (self, sqlite3_errcode (self->db), error);
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);

  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_NOT_FOUND,
                   _("The template no longer exists."));
      return FALSE;
    }

  *saved_id = g_steal_pointer (&id);
  return TRUE;
}

static void
save_template_func (XiStore  *self,
                    GTask    *task,
                    gpointer  data)
{
  g_autofree char *id = NULL;
  GError *error = NULL;
  XiTemplate *saved;

  if (!_xi_store_begin (self, &error) ||
      !save_template (self, data, &id, &error) ||
      (saved = _xi_store_load_template (self, id, &error)) == NULL ||
      !_xi_store_commit (self, &error))
    {
      _xi_store_rollback (self);
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, saved, g_object_unref);
}

/**
 * xi_store_save_template_async:
 * @self: a #XiStore
 * @template_: the template to create (no id) or update; copied at call time
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Names are unique per user, ignoring case (%XI_STORE_ERROR_DUPLICATE).
 */
void
xi_store_save_template_async (XiStore             *self,
                              XiTemplate          *template_,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (XI_IS_TEMPLATE (template_));

  _xi_store_push (self, save_template_func, xi_template_copy (template_), g_object_unref,
                  xi_store_save_template_async, cancellable, callback, user_data);
}

/**
 * xi_store_save_template_finish:
 *
 * Returns: (transfer full): the template as stored
 */
XiTemplate *
xi_store_save_template_finish (XiStore       *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
delete_template_func (XiStore  *self,
                      GTask    *task,
                      gpointer  data)
{
  g_autofree char *now = _xi_store_now ();
  g_autoptr(XiTemplate) template_ = NULL;
  GError *error = NULL;
  sqlite3_stmt *stmt;

  if (!_xi_store_begin (self, &error) ||
      (template_ = _xi_store_load_template (self, data, &error)) == NULL)
    goto failed;

  stmt = _xi_store_prepare (self,
                            "UPDATE templates SET deleted = 1, updated_at = ?3,"
                            " version = version + 1, sync_status = 'pending'"
                            " WHERE id = ?1 AND master_user_id = ?2",
                            &error);
  if (stmt == NULL)
    goto failed;
  _xi_store_bind_text (stmt, 1, data);
  _xi_store_bind_text (stmt, 2, self->master_user_id);
  _xi_store_bind_text (stmt, 3, now);
  if (!_xi_store_step_done (self, stmt, &error) ||
      !_xi_store_log_activity (self, "template.deleted", xi_template_get_name (template_),
                               NULL, &error) ||
      !_xi_store_commit (self, &error))
    goto failed;

  g_task_return_boolean (task, TRUE);
  return;

failed:
  _xi_store_rollback (self);
  g_task_return_error (task, error);
}

/**
 * xi_store_delete_template_async:
 * @self: a #XiStore
 * @template_id: the template
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 */
void
xi_store_delete_template_async (XiStore             *self,
                                const char          *template_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (template_id != NULL);

  _xi_store_push (self, delete_template_func, g_strdup (template_id), g_free,
                  xi_store_delete_template_async, cancellable, callback, user_data);
}

gboolean
xi_store_delete_template_finish (XiStore       *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
