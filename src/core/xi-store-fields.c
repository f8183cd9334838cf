/* xi-store-fields.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-store-fields"

#include "config.h"

#include "xi-store-private.h"

/*
 * The names of contacts' custom fields, counted in contact_fields
 * (migration 13), on the store thread. Triggers keep the counts for every
 * row written; a large import, which pauses the insert trigger for its
 * transaction (_xi_store_drop_trigger ()), counts the names of the
 * contacts it creates in C as it goes and adds them here at the end.
 */

/**
 * _xi_store_fields_count:
 * @counts: field name → number of new contacts that have it, as gsize
 * @names: (array zero-terminated=1): the names of a batch's custom fields
 * @slot_counts: (array): for each name, how many new contacts have it
 *
 * Adds a batch's counts to those of the whole import.
 */
void
_xi_store_fields_count (GHashTable         *counts,
                        const char * const *names,
                        const gsize        *slot_counts)
{
  for (guint i = 0; names[i] != NULL; i++)
    {
      gsize before;

      if (slot_counts[i] == 0)
        continue;
      before = GPOINTER_TO_SIZE (g_hash_table_lookup (counts, names[i]));
      g_hash_table_replace (counts, g_strdup (names[i]), GSIZE_TO_POINTER (before + slot_counts[i]));
    }
}

/**
 * _xi_store_fields_resume:
 * @self: a store, on its thread, in the transaction that paused the trigger
 * @restore: (nullable): the SQL _xi_store_drop_trigger () gave for
 *   contact_fields_insert
 * @counts: (nullable): field name → number of contacts created while it
 *   was paused that have the field, as gsize
 * @error: return location for an error
 *
 * Adds @counts to the table and puts the insert trigger back as it was.
 *
 * Returns: whether it could
 */
gboolean
_xi_store_fields_resume (XiStore     *self,
                         const char  *restore,
                         GHashTable  *counts,
                         GError     **error)
{
  GHashTableIter iter;
  gpointer name;
  gpointer count;
  sqlite3_stmt *stmt;

  _xi_store_assert_thread (self);

  stmt = _xi_store_prepare (self,
                            "INSERT INTO contact_fields (master_user_id, name, contacts)"
                            " VALUES (?1, ?2, ?3)"
                            " ON CONFLICT DO UPDATE SET contacts = contacts + excluded.contacts",
                            error);
  if (stmt == NULL)
    return FALSE;
  if (counts != NULL)
    g_hash_table_iter_init (&iter, counts);
  while (counts != NULL && g_hash_table_iter_next (&iter, &name, &count))
    {
      _xi_store_bind_text_static (stmt, 1, self->master_user_id);
      _xi_store_bind_text_static (stmt, 2, name);
      sqlite3_bind_int64 (stmt, 3, (gint64)GPOINTER_TO_SIZE (count));
      if (!_xi_store_step_done (self, stmt, error))
        return FALSE;
    }
  /* A contact the import created and then merged again (its number
   * listed twice) was counted down by the update trigger before its
   * creation was counted here, which can leave a name at zero. */
  stmt = _xi_store_prepare (self,
                            "DELETE FROM contact_fields WHERE master_user_id = ?1 AND contacts = 0",
                            error);
  if (stmt == NULL)
    return FALSE;
  _xi_store_bind_text_static (stmt, 1, self->master_user_id);
  if (!_xi_store_step_done (self, stmt, error))
    return FALSE;
  return restore == NULL || _xi_store_exec (self, restore, error);
}
