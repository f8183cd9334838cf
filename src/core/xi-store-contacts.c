/* xi-store-contacts.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-store-contacts"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>
#include <time.h>

#include "xi-contact-private.h"
#include "xi-csv.h"
#include "xi-import-reader-private.h"
#include "xi-limits.h"
#include "xi-log.h"
#include "xi-phone.h"
#include "xi-progress.h"
#include "xi-store-private.h"
#include "xi-template-text.h"

/* Contacts, on the store thread. */

#define CONTACT_COLUMNS \
  "c.id, c.name, c.phone, c.tags, c.notes, c.custom_fields, c.on_whatsapp," \
  " c.on_whatsapp_checked_at, c.opted_out, c.version, c.updated_at," \
  " (SELECT group_concat (m.group_id) FROM group_members m" \
  "  WHERE m.contact_id = c.id AND m.deleted = 0)"

/* Rows between two progress reports and cancellation checks. */
#define IMPORT_CHUNK 1000

static XiContact *
contact_from_row (sqlite3_stmt *stmt)
{
  return _xi_contact_new_from_store ((const char *)sqlite3_column_text (stmt, 0),
                                     (const char *)sqlite3_column_text (stmt, 1),
                                     (const char *)sqlite3_column_text (stmt, 2),
                                     (const char *)sqlite3_column_text (stmt, 3),
                                     (const char *)sqlite3_column_text (stmt, 4),
                                     (const char *)sqlite3_column_text (stmt, 5),
                                     (const char *)sqlite3_column_text (stmt, 11),
                                     (XiOnWhatsApp)sqlite3_column_int (stmt, 6),
                                     sqlite3_column_int64 (stmt, 7),
                                     sqlite3_column_int (stmt, 8),
                                     sqlite3_column_int64 (stmt, 9),
                                     (const char *)sqlite3_column_text (stmt, 10));
}

static XiContact *
load_contact (XiStore     *self,
              const char  *id,
              GError     **error)
{
  return _xi_store_query_one (self,
                              "SELECT " CONTACT_COLUMNS " FROM contacts c"
                              " WHERE c.master_user_id = ?1 AND c.id = ?2 AND c.deleted = 0",
                              id, (XiStoreRowFunc)contact_from_row,
                              _("The contact no longer exists."), error);
}

/* The owner of @phone among live contacts, other than @except_id. */
static gboolean
find_by_phone (XiStore     *self,
               const char  *phone,
               char       **id,
               char       **name,
               GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = _xi_store_prepare (self,
                            "SELECT id, name FROM contacts"
                            " WHERE master_user_id = ?1 AND phone = ?2 AND deleted = 0",
                            error);
  if (stmt == NULL)
    return FALSE;

  _xi_store_bind_text (stmt, 1, self->master_user_id);
  _xi_store_bind_text (stmt, 2, phone);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *id = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
      if (name != NULL)
        *name = g_strdup ((const char *)sqlite3_column_text (stmt, 1));
    }
  else if (rc != SQLITE_DONE)
    {
      _xi_store_set_error (self, rc, error);
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);

  return TRUE;
}

/* Every change of a number's opt-out is an event of the suppression list:
 * campaigns read the latest one per number, and sync sends them all. */
gboolean
_xi_store_record_suppression (XiStore     *self,
                              const char  *phone,
                              const char  *contact_id,
                              gboolean     opted_out,
                              const char  *source,
                              const char  *keyword,
                              const char  *message_id,
                              const char  *now,
                              GError     **error)
{
  g_autofree char *id = _xi_store_new_id ();
  sqlite3_stmt *stmt;

  stmt = _xi_store_prepare (self,
                            "INSERT INTO suppression_events (id, master_user_id, created_at,"
                            " updated_at, phone, contact_id, event, source, keyword, message_id)"
                            " VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                            error);
  if (stmt == NULL)
    return FALSE;
  _xi_store_bind_text (stmt, 1, id);
  _xi_store_bind_text (stmt, 2, self->master_user_id);
  _xi_store_bind_text (stmt, 3, now);
  _xi_store_bind_text (stmt, 4, phone);
  _xi_store_bind_text (stmt, 5, contact_id);
  _xi_store_bind_text (stmt, 6, opted_out ? "opt_out" : "opt_in");
  _xi_store_bind_text (stmt, 7, source);
  _xi_store_bind_text (stmt, 8, keyword);
  _xi_store_bind_text (stmt, 9, message_id);
  return _xi_store_step_done (self, stmt, error);
}

gboolean
_xi_store_set_contact_opted_out (XiStore     *self,
                                 const char  *contact_id,
                                 gboolean     opted_out,
                                 const char  *now,
                                 GError     **error)
{
  sqlite3_stmt *stmt;

  if (contact_id == NULL)
    return TRUE;

  stmt = _xi_store_prepare (self,
                            "UPDATE contacts SET opted_out = ?3, updated_at = ?4,"
                            " opted_out_at = CASE WHEN ?3 THEN ?4 END,"
                            " version = version + 1, sync_status = 'pending'"
                            " WHERE id = ?1 AND master_user_id = ?2 AND opted_out != ?3",
                            error);
  if (stmt == NULL)
    return FALSE;
  _xi_store_bind_text (stmt, 1, contact_id);
  _xi_store_bind_text (stmt, 2, self->master_user_id);
  sqlite3_bind_int (stmt, 3, opted_out);
  _xi_store_bind_text (stmt, 4, now);
  return _xi_store_step_done (self, stmt, error);
}

/* Makes the live memberships of @contact_id exactly @group_ids. */
static gboolean
set_memberships (XiStore            *self,
                 const char         *contact_id,
                 const char * const *group_ids,
                 const char         *now,
                 GError            **error)
{
  g_autoptr(GPtrArray) current = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;

  stmt = _xi_store_prepare (self,
                            "SELECT group_id FROM group_members"
                            " WHERE master_user_id = ?1 AND contact_id = ?2 AND deleted = 0",
                            error);
  if (stmt == NULL)
    return FALSE;
  _xi_store_bind_text (stmt, 1, self->master_user_id);
  _xi_store_bind_text (stmt, 2, contact_id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (current, g_strdup ((const char *)sqlite3_column_text (stmt, 0)));
  sqlite3_reset (stmt);

  for (guint i = 0; i < current->len; i++)
    {
      const char *group_id = g_ptr_array_index (current, i);

      if (g_strv_contains (group_ids, group_id))
        continue;

      stmt = _xi_store_prepare (self,
                                "UPDATE group_members SET deleted = 1, updated_at = ?3,"
                                " version = version + 1, sync_status = 'pending'"
                                " WHERE master_user_id = ?1 AND contact_id = ?2 AND group_id = ?4",
                                error);
      if (stmt == NULL)
        return FALSE;
      _xi_store_bind_text (stmt, 1, self->master_user_id);
      _xi_store_bind_text (stmt, 2, contact_id);
      _xi_store_bind_text (stmt, 3, now);
      _xi_store_bind_text (stmt, 4, group_id);
      if (!_xi_store_step_done (self, stmt, error))
        return FALSE;
    }

  for (guint i = 0; group_ids[i] != NULL; i++)
    {
      if (!_xi_store_add_member (self, group_ids[i], contact_id, now, NULL, error))
        return FALSE;
    }

  return TRUE;
}

/* Checks the number the caller gives: the UI normalises as the user types,
 * but the store is the last line before a message goes to a wrong number,
 * and a number a campaign would skip as invalid is refused here instead. */
static gboolean
check_phone (const char  *phone,
             GError     **error)
{
  if (xi_phone_is_valid (phone))
    return TRUE;

  g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID,
               _("The phone number must be a valid number in international form, "
                 "for example 6281234567890."));
  return FALSE;
}

/* List */

#define LIST_CONTACTS_SQL \
  "SELECT " CONTACT_COLUMNS " FROM contacts c" \
  " WHERE c.master_user_id = ?1 AND c.deleted = 0" \
  " ORDER BY c.sort_key, c.phone"

static void
list_contacts_func (XiStore  *self,
                    GTask    *task,
                    gpointer  data)
{
  _xi_store_return_rows (self, task, LIST_CONTACTS_SQL, (XiStoreRowFunc)contact_from_row);
}

/**
 * xi_store_list_contacts_async:
 * @self: a #XiStore
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Loads every live contact of the current user, sorted by name. The
 * objects are created on the store thread and belong to the caller.
 */
void
xi_store_list_contacts_async (XiStore             *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));

  _xi_store_push_read (self, list_contacts_func, NULL, NULL, xi_store_list_contacts_async,
                       cancellable, callback, user_data);
}

/**
 * xi_store_list_contacts_finish:
 *
 * Returns: (transfer container) (element-type XiContact): the contacts
 */
GPtrArray *
xi_store_list_contacts_finish (XiStore       *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Row keys: the list in its order as rowids, and contacts by rowid */

/* The order of contact lists (xi_contact_compare()): named contacts by
 * name, numbers in it by value, then the nameless by number; the
 * contacts_order index holds it (migration 11). */
#define LIST_ORDER " ORDER BY c.sort_key, c.phone"
#define LIST_LIVE \
  " c.master_user_id = ?1 AND c.deleted = 0" \
  " AND (?3 IS NULL OR c.custom_fields LIKE ?3 ESCAPE '\\')"
/* The index answers for the rows it is up to date with; the rows changed
 * since (contacts_search_stale) are all read, for the caller's check to
 * decide, so that a search right after an import of a million answers
 * before the index has caught up with it. One statement, so both parts
 * are read from one snapshot while another process writes. Whether any
 * row is stale is asked once, not for each match: a look-up for each of
 * a first name's 50,000 matches cost a tenth of the search. */
#define FROM_SEARCH \
  " FROM (SELECT s.rowid AS found FROM contacts_search s" \
  "       WHERE contacts_search MATCH ?2" \
  "       AND (NOT EXISTS (SELECT 1 FROM contacts_search_stale)" \
  "            OR NOT EXISTS (SELECT 1 FROM contacts_search_stale t WHERE t.contact_rowid = s.rowid))" \
  "      UNION ALL SELECT contact_rowid FROM contacts_search_stale) m" \
  " CROSS JOIN contacts c ON c.rowid = m.found WHERE"

/* Columns: the list order's first term, what the search checks; the
 * rowid comes last. */
#define KEY_COLUMNS  "c.sort_key, c.name, c.phone, c.rowid"

/* Rows between two checks of the cancellable while listing keys. */
#define KEYS_CHUNK 4096

/* How much of the database file a search maps, SQLite's usual ceiling. */
#define SEARCH_MAP_BYTES 2147418112

/* A trigram index finds substrings of three characters or more. */
#define SEARCH_MIN_CHARS 3

/* Appends to @query a test of @column for every trigram of @text in a
 * set that covers it: one at every third character, and the last. Any
 * row holding @text passes; _xi_contact_text_matches() then turns away
 * the few that hold the trigrams elsewhere. The index reads each term's
 * whole list of rows, and a phrase of "@text" asks for every trigram,
 * three times as many lists: at a million contacts, a number's
 * 11 digits, which share most of their trigrams with every other
 * number, cost the statement 170 M instructions as a phrase and 76 M
 * covered. */
static void
append_trigrams (GString    *query,
                 const char *column,
                 const char *text)
{
  glong n_chars = g_utf8_strlen (text, -1);

  g_string_append_printf (query, "%s : (", column);
  for (glong start = 0; start + SEARCH_MIN_CHARS <= n_chars;)
    {
      const char *from = g_utf8_offset_to_pointer (text, start);
      const char *to = g_utf8_offset_to_pointer (from, SEARCH_MIN_CHARS);

      if (start > 0)
        g_string_append (query, " AND ");
      g_string_append_c (query, '"');
      for (const char *p = from; p < to; p++)
        {
          if (*p == '"')
            g_string_append_c (query, '"');
          g_string_append_c (query, *p);
        }
      g_string_append_c (query, '"');
      if (start + SEARCH_MIN_CHARS == n_chars)
        break;
      start = MIN (start + SEARCH_MIN_CHARS, n_chars - SEARCH_MIN_CHARS);
    }
  g_string_append_c (query, ')');
}

/* The FTS5 query for a casefolded needle, which _xi_contact_text_matches()
 * then confirms: the needle in the name, or its digits in the number
 * where the needle looks like a number. %NULL when a part is too short
 * for the index, and every row has to be looked at. */
static char *
search_query (const char *needle)
{
  g_autoptr(GString) query = g_string_new (NULL);
  g_autoptr(GString) digits = g_string_new (NULL);
  gboolean number_like = TRUE;
  const char *digit_start;

  if (g_utf8_strlen (needle, -1) < SEARCH_MIN_CHARS)
    return NULL;

  for (const char *p = needle; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        g_string_append_c (digits, *p);
      else if (strchr ("+-() .", *p) == NULL)
        number_like = FALSE;
    }
  append_trigrams (query, "name", needle);

  if (number_like && digits->len > 0)
    {
      digit_start = digits->str + strspn (digits->str, "0");
      if (*digit_start == '\0')
        digit_start = digits->str + digits->len - 1;
      if (strlen (digit_start) < SEARCH_MIN_CHARS)
        return NULL;
      g_string_append (query, " OR ");
      append_trigrams (query, "phone", digit_start);
    }
  return g_string_free (g_steal_pointer (&query), FALSE);
}

/* Rows the search index catches up with in one transaction: about 50 ms
 * of the store thread at a million contacts, which is as long as an
 * operation queued meanwhile waits. */
#define SEARCH_CATCH_UP_ROWS 2048

/* How long catching up waits when another process holds the write lock,
 * such as the command line importing. */
#define SEARCH_CATCH_UP_RETRY_USEC G_USEC_PER_SEC

/* Brings the search index up to date with the first SEARCH_CATCH_UP_ROWS
 * rows the triggers noted as changed (see migration 9), in a transaction
 * of its own: a crash keeps what was committed, and whatever is left is
 * still answered by reading it. The rows are chosen under the write
 * lock, so two processes catching up at once take turns. Returns
 * whether rows are left; @busy says the lock was someone else's. */
static gboolean
catch_up_search_index (XiStore   *self,
                       gboolean  *busy,
                       GError   **error)
{
  static const char * const steps[] = {
    "DELETE FROM contacts_search"
    " WHERE rowid IN (SELECT contact_rowid FROM contacts_search_stale WHERE contact_rowid <= ?1)",
    "INSERT INTO contacts_search (rowid, name, phone)"
    " SELECT c.rowid, c.name, c.phone FROM contacts_search_stale s"
    " CROSS JOIN contacts c ON c.rowid = s.contact_rowid WHERE s.contact_rowid <= ?1 AND c.deleted = 0",
    "DELETE FROM contacts_search_stale WHERE contact_rowid <= ?1",
  };
  sqlite3_stmt *stmt = _xi_store_prepare (self, "SELECT 1 FROM contacts_search_stale LIMIT 1", error);
  gint64 last = 0;
  gint64 taken = 0;
  int rc;

  *busy = FALSE;
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc == SQLITE_DONE)
    return FALSE;
  if (rc != SQLITE_ROW)
    {
      _xi_store_set_error (self, rc, error);
      return FALSE;
    }

  if (!_xi_store_begin (self, error))
    {
      *busy = g_error_matches (*error, XI_STORE_ERROR, XI_STORE_ERROR_BUSY);
      return FALSE;
    }
  stmt = _xi_store_prepare (self,
                            "SELECT max (contact_rowid), count (*) FROM (SELECT contact_rowid"
                            " FROM contacts_search_stale ORDER BY contact_rowid LIMIT ?1)",
                            error);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_int64 (stmt, 1, SEARCH_CATCH_UP_ROWS);
  if ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      last = sqlite3_column_int64 (stmt, 0);
      taken = sqlite3_column_int64 (stmt, 1);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    {
      _xi_store_set_error (self, rc, error);
      goto failed;
    }
  for (guint i = 0; i < G_N_ELEMENTS (steps) && taken > 0; i++)
    {
      if ((stmt = _xi_store_prepare (self, steps[i], error)) == NULL)
        goto failed;
      sqlite3_bind_int64 (stmt, 1, last);
      if (!_xi_store_step_done (self, stmt, error))
        goto failed;
    }
  if (!_xi_store_commit (self, error))
    goto failed;
  return taken == SEARCH_CATCH_UP_ROWS;

failed:
  _xi_store_rollback (self);
  return FALSE;
}

/**
 * _xi_store_contacts_catch_up:
 * @self: a store, on its thread, with nothing else to do
 *
 * Brings the search index a step closer to the contacts table, or waits
 * for another process's write. The store thread calls this between
 * operations while #XiStore.search_index_behind says the index may be
 * behind; it clears it when the index has caught up, or when it cannot
 * (a full disk), which the next search notices again.
 */
void
_xi_store_contacts_catch_up (XiStore *self)
{
  g_autoptr(GError) error = NULL;
  gboolean busy = FALSE;

  _xi_store_assert_thread (self);

  self->search_index_behind = catch_up_search_index (self, &busy, &error) || busy;
  if (busy)
    self->search_index_retry_at = g_get_monotonic_time () + SEARCH_CATCH_UP_RETRY_USEC;
  else if (error != NULL)
    g_warning ("The search index could not be brought up to date: %s", error->message);
}

/* Bytes of a value an OrderValue holds inline. */
#define ORDER_HEAD_BYTES 16

/* One of the list order's two values (sort key, number) of a match. Its
 * first bytes are held as two big-endian integers, which compare as the
 * bytes do: a first name's 50,000 matches take 800,000 comparisons to
 * sort, and a memcmp() of text kept elsewhere for each made the sort a
 * quarter of the search's instructions. What does not fit, in long
 * names, is in the listing's text. */
typedef struct
{
  guint64 head[2];
  guint   rest;
  guint   len : 31;
  guint   is_blob : 1;
} OrderValue;

/* A contact a search found, until the matches are put in list order. */
typedef struct
{
  OrderValue sort_key;
  OrderValue phone;
  gint64     key;
} SearchMatch;

/* Copies column @column of @stmt's current row into @value, and into
 * @text where it is longer than its head. */
static void
keep_order_value (sqlite3_stmt *stmt,
                  int           column,
                  OrderValue   *value,
                  GByteArray   *text)
{
  /* Unprotected, which is safe on the one thread that uses the
   * connection; read once rather than through three column calls. */
  sqlite3_value *column_value = sqlite3_column_value (stmt, column);
  guint8 head[ORDER_HEAD_BYTES] = { 0 };
  const guint8 *bytes;
  guint64 half;

  value->is_blob = sqlite3_value_type (column_value) == SQLITE_BLOB;
  bytes = sqlite3_value_blob (column_value);
  value->len = (guint)sqlite3_value_bytes (column_value);
  if (value->len > 0)
    memcpy (head, bytes, MIN (value->len, ORDER_HEAD_BYTES));
  memcpy (&half, head, sizeof half);
  value->head[0] = GUINT64_FROM_BE (half);
  memcpy (&half, head + sizeof half, sizeof half);
  value->head[1] = GUINT64_FROM_BE (half);
  value->rest = text->len;
  if (value->len > ORDER_HEAD_BYTES)
    g_byte_array_append (text, bytes + ORDER_HEAD_BYTES, value->len - ORDER_HEAD_BYTES);
}

/* SQLite's order for the two columns' values, which LIST_ORDER sorts
 * with: text by the BINARY collation, and after all of it whatever
 * another program wrote as a blob (text affinity keeps numbers out).
 * Inlined, as the sort's every comparison calls it. */
G_ALWAYS_INLINE static inline int
compare_order_values (const OrderValue *a,
                      const OrderValue *b,
                      const guint8     *text)
{
  int cmp;

  if (a->is_blob != b->is_blob)
    return a->is_blob ? 1 : -1;
  if (a->head[0] != b->head[0])
    return a->head[0] < b->head[0] ? -1 : 1;
  if (a->head[1] != b->head[1])
    return a->head[1] < b->head[1] ? -1 : 1;
  /* Equal heads: the shorter value, padded with zeros, is a prefix of
   * the other. */
  if (a->len > ORDER_HEAD_BYTES && b->len > ORDER_HEAD_BYTES)
    {
      cmp = memcmp (text + a->rest, text + b->rest, MIN (a->len, b->len) - ORDER_HEAD_BYTES);
      if (cmp != 0)
        return cmp;
    }
  return a->len < b->len ? -1 : a->len > b->len;
}

G_ALWAYS_INLINE static inline int
compare_search_matches (const SearchMatch *x,
                        const SearchMatch *y,
                        const guint8      *text)
{
  int cmp = compare_order_values (&x->sort_key, &y->sort_key, text);

  if (cmp != 0)
    return cmp;
  return compare_order_values (&x->phone, &y->phone, text);
}

/* The keys of @matches in list order: a merge sort of their indices,
 * stable as g_array_sort_with_data() is, with the comparison inlined
 * rather than called through a pointer 800,000 times for a first name's
 * matches. */
static void
sort_search_matches (const SearchMatch *matches,
                     guint              n_matches,
                     const guint8      *text,
                     gint64            *keys)
{
  g_autofree guint *order = g_new (guint, n_matches);
  g_autofree guint *spare = g_new (guint, n_matches);
  guint *from = order;
  guint *to = spare;

  for (guint i = 0; i < n_matches; i++)
    order[i] = i;
  for (guint width = 1; width < n_matches; width *= 2)
    {
      guint *merged;

      for (guint left = 0; left < n_matches; left += 2 * width)
        {
          guint middle = MIN (left + width, n_matches);
          guint right = MIN (middle + width, n_matches);
          guint i = left;
          guint j = middle;
          guint k = left;

          while (i < middle && j < right)
            to[k++] = compare_search_matches (&matches[from[j]], &matches[from[i]], text) < 0 ? from[j++] : from[i++];
          while (i < middle)
            to[k++] = from[i++];
          while (j < right)
            to[k++] = from[j++];
        }
      merged = to;
      to = from;
      from = merged;
    }
  for (guint i = 0; i < n_matches; i++)
    keys[i] = matches[from[i]].key;
}

/* Keeps the current row of a KEY_COLUMNS statement as a match; the text
 * is copied, since SQLite's is valid only until the next step. */
static void
keep_search_match (sqlite3_stmt *stmt,
                   GArray       *matches,
                   GByteArray   *text)
{
  SearchMatch match = { .key = sqlite3_column_int64 (stmt, 3) };

  keep_order_value (stmt, 0, &match.sort_key, text);
  keep_order_value (stmt, 2, &match.phone, text);
  g_array_append_val (matches, match);
}

/* The casefolded @name in @key, as g_utf8_casefold() gives it; a name
 * in ASCII, as most are, is folded in place of a new string for each
 * of tens of thousands of matches. */
static void
fold_name (GString    *key,
           const char *name)
{
  g_autofree char *folded = NULL;
  gsize i;

  if (name == NULL)
    {
      g_string_truncate (key, 0);
      return;
    }
  /* Written in place, with no call for each character. */
  g_string_set_size (key, strlen (name));
  for (i = 0; name[i] != '\0' && (guchar)name[i] < 0x80; i++)
    key->str[i] = g_ascii_isupper (name[i]) ? (char)(name[i] - 'A' + 'a') : name[i];
  if (name[i] == '\0')
    return;
  folded = g_utf8_casefold (name, -1);
  g_string_assign (key, folded);
}

/* Maps the database file into memory for a search. A search reads its
 * matches' rows all over the table, many more pages than the store's
 * cache holds, and copying each one in cost as much system time as the
 * search's own work (a first name at a million contacts, 63 ms of system
 * time, 23 ms mapped). The map stays while searches follow one another,
 * as they do while the user types: taking it down cost each search a
 * tenth of its time, unmapping every page it touched. It goes once the
 * store has had nothing to do for a moment (_xi_store_contacts_unmap ()),
 * and everything else keeps SQLite's default reads. */
static void
map_database (XiStore *self)
{
  if (!self->search_mapped)
    self->search_mapped = _xi_store_exec (self, "PRAGMA mmap_size = " G_STRINGIFY (SEARCH_MAP_BYTES), NULL);
}

/**
 * _xi_store_contacts_unmap:
 * @self: a store, on its thread, with nothing to do for a moment
 *
 * Takes down the map of the database file that searches set up.
 */
void
_xi_store_contacts_unmap (XiStore *self)
{
  _xi_store_assert_thread (self);

  if (self->search_mapped && self->db != NULL)
    _xi_store_exec (self, "PRAGMA mmap_size = 0", NULL);
  self->search_mapped = FALSE;
}

/* The filter's name as a pointer bound to a statement. */
#define FILTER_POINTER_TYPE "XiContactFilter"

/* xi_filter_field (FILTER, INDEX, VALUE), for the terms that
 * xi_contact_filter_append_fields_sql () writes. */
static void
filter_field_func (sqlite3_context  *context,
                   int               argc,
                   sqlite3_value   **argv)
{
  XiContactFilter *filter = sqlite3_value_pointer (argv[0], FILTER_POINTER_TYPE);

  if (filter == NULL)
    {
      sqlite3_result_error (context, "xi_filter_field () takes a bound filter", -1);
      return;
    }
  sqlite3_result_int (context, xi_contact_filter_field_matches (filter, (guint)sqlite3_value_int (argv[1]),
                                                                (const char *)sqlite3_value_text (argv[2])));
}

/* xi_member_id (GROUP_ID, CONTACT_ID), the id _xi_store_add_member ()
 * gives that membership, for an import that adds many in one statement. */
static void
member_id_func (sqlite3_context  *context,
                int               argc,
                sqlite3_value   **argv)
{
  const char *group_id = (const char *)sqlite3_value_text (argv[0]);
  const char *contact_id = (const char *)sqlite3_value_text (argv[1]);

  if (group_id == NULL || contact_id == NULL)
    {
      sqlite3_result_error (context, "xi_member_id () takes two ids", -1);
      return;
    }
  sqlite3_result_text (context, _xi_store_derived_id (sqlite3_user_data (context), "member",
                                                      group_id, contact_id),
                       -1, g_free);
}

/*
 * The store's statements write a contact's sort key with its name
 * (migration 11); these TEMP triggers, on this connection only, write it
 * for the ones that do not, such as the rows sync applies. A written key
 * is never empty, the column's default, and a statement that renames a
 * contact and writes its key leaves the old key only when it is the
 * right one, so where the key was written the triggers cost two
 * comparisons.
 */
#define SORT_KEY_WRITE \
  " BEGIN UPDATE contacts SET sort_key = xi_sort_key (NEW.name) WHERE rowid = NEW.rowid; END;"
#define SORT_KEY_INSERT_TRIGGER \
  "CREATE TEMP TRIGGER xi_contacts_sort_key_insert AFTER INSERT ON main.contacts" \
  " WHEN NEW.sort_key = ''" SORT_KEY_WRITE
#define SORT_KEY_TRIGGERS \
  SORT_KEY_INSERT_TRIGGER \
  "CREATE TEMP TRIGGER xi_contacts_sort_key_update AFTER UPDATE OF name, sort_key ON main.contacts" \
  " WHEN NEW.sort_key = '' OR (NEW.name IS NOT OLD.name AND NEW.sort_key IS OLD.sort_key)" \
  SORT_KEY_WRITE

/**
 * _xi_store_contacts_setup:
 * @self: a store, on its thread, just opened
 * @error: return location for an error
 *
 * Gives the connection the SQL functions filters test custom fields with
 * and a large import derives memberships' ids with, and the triggers that
 * keep contacts' sort keys. A search index a crash or another process
 * left behind is caught up with once the store is idle.
 *
 * Returns: whether it could
 */
gboolean
_xi_store_contacts_setup (XiStore  *self,
                          GError  **error)
{
  int rc;

  _xi_store_assert_thread (self);

  rc = sqlite3_create_function (self->db, "xi_filter_field", 3, SQLITE_UTF8, NULL,
                                filter_field_func, NULL, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_create_function (self->db, "xi_member_id", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                  self, member_id_func, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      _xi_store_set_error (self, rc, error);
      return FALSE;
    }
  self->search_index_behind = TRUE;
  return _xi_store_exec (self, SORT_KEY_TRIGGERS, error);
}

/* Whether the members that @members_sql names are few beside the
 * contacts, so that reading them beats reading every contact: each
 * member costs a look-up by id, each contact a row read in order. At a
 * million contacts, a group of ten takes 0.00 s instead of 0.25 s of
 * CPU; a group of everybody is read in the table's order. At most an
 * eighth of the table is counted. */
static gboolean
members_are_few (XiStore     *self,
                 const char  *members_sql,
                 gboolean    *few,
                 GError     **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count (*) < ?1 FROM (%s LIMIT ?1)", members_sql);
  sqlite3_stmt *stmt;
  gint64 limit = 0;
  int rc;

  if ((stmt = _xi_store_prepare (self, "SELECT ifnull (max (rowid), 0) / 8 FROM contacts", error)) == NULL)
    return FALSE;
  if ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    limit = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    {
      _xi_store_set_error (self, rc, error);
      return FALSE;
    }

  if ((rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL)) != SQLITE_OK)
    {
      _xi_store_set_error (self, rc, error);
      return FALSE;
    }
  sqlite3_bind_int64 (stmt, 1, limit);
  if ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    *few = sqlite3_column_int (stmt, 0) != 0;
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW)
    {
      _xi_store_set_error (self, rc, error);
      return FALSE;
    }
  return TRUE;
}

/**
 * _xi_store_list_contact_keys:
 * @self: a store, on its thread
 * @needle: (nullable): casefolded search text, as xi_contact_matches() takes it
 * @filter: (nullable): a filter no other thread uses
 * @cancellable: (nullable): stops a long listing
 * @error: return location for an error
 *
 * Only the keys are kept, eight bytes a contact, whatever the size of
 * the table, and a search's matches' list order until they are sorted;
 * SQL decides @filter, and no contact is built.
 *
 * Returns: (transfer full) (element-type gint64): the rowids of the live
 *   contacts that match @needle and @filter, in list order
 */
GArray *
_xi_store_list_contact_keys (XiStore          *self,
                             const char       *needle,
                             XiContactFilter  *filter,
                             GCancellable     *cancellable,
                             GError          **error)
{
  g_autoptr(GArray) keys = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) matches = NULL;
  g_autoptr(GByteArray) match_text = NULL;
  g_autoptr(GString) name_key = g_string_new (NULL);
  g_autofree char *query = NULL;
  g_autofree char *fields_like = NULL;
  sqlite3_stmt *stmt;
  sqlite3_stmt *own = NULL;     /* a statement made for this filter */
  const char *sql;
  guint n_rows = 0;
  int rc;

  _xi_store_assert_thread (self);

  if (needle != NULL && needle[0] == '\0')
    needle = NULL;
  if (filter != NULL && xi_contact_filter_is_empty (filter))
    filter = NULL;
  if (filter != NULL)
    {
      if (!xi_contact_filter_resolve (filter, _xi_store_resolve_filter_set, self, error))
        return NULL;
      fields_like = xi_contact_filter_get_fields_pattern (filter);
    }
  query = needle != NULL ? search_query (needle) : NULL;
  /* Whatever changed since the index was last caught up with, here or in
   * another process, is caught up with once the store has nothing else
   * to do. */
  if (query != NULL)
    self->search_index_behind = TRUE;
  /* The index gives its matches in rowid order. Sorted by SQLite, tens
   * of thousands of them cost twice the search itself; they are put in
   * list order below instead. */
  if (query != NULL)
    {
      matches = g_array_new (FALSE, FALSE, sizeof (SearchMatch));
      match_text = g_byte_array_sized_new (4096);
    }

  if (filter != NULL)
    {
      /* The filter's conditions are decided in SQL; its text depends
       * on the filter, so the statement is the caller's own. */
      g_autoptr(GString) text = g_string_new ("SELECT " KEY_COLUMNS);
      g_autofree char *members = query == NULL ? xi_contact_filter_dup_members_sql (filter) : NULL;
      g_autofree char *excluded = needle == NULL ? xi_contact_filter_dup_exclusions_sql (filter) : NULL;
      gboolean few = FALSE;
      gboolean few_excluded = FALSE;

      if (members != NULL && !members_are_few (self, members, &few, error))
        return NULL;
      if (excluded != NULL && !members_are_few (self, excluded, &few_excluded, error))
        return NULL;
      if (few_excluded)
        /* Leaving a few groups out (group!=) is decided on the rowids
         * the list order's index holds, with no table read and no sort:
         * at a million contacts, everybody but a group of ten costs a
         * fifth of the CPU of the table read below. Many left out would
         * each cost a look-up by id, more than that read. */
        g_string_printf (text, "SELECT c.rowid FROM contacts c INDEXED BY contacts_order"
                         " WHERE c.master_user_id = ?1 AND c.deleted = 0 AND ?3 IS NULL"
                         " AND c.rowid NOT IN (SELECT k.rowid FROM contacts k WHERE k.id IN (%s))",
                         excluded);
      else
        {
          if (query != NULL)
            g_string_append (text, FROM_SEARCH);
          else if (few)
            g_string_append_printf (text, " FROM contacts c INDEXED BY sqlite_autoindex_contacts_1"
                                    " WHERE c.id IN (%s) AND", members);
          else
            /* Read in the table's order and sort what matches: walking the
             * list order's index would look up every row out of order. */
            g_string_append (text, " FROM contacts c NOT INDEXED WHERE");
          g_string_append (text, LIST_LIVE);
          xi_contact_filter_append_fields_sql (filter, text, 4);
        }
      if (matches == NULL)
        g_string_append (text, LIST_ORDER);
      rc = sqlite3_prepare_v2 (self->db, text->str, -1, &own, NULL);
      if (rc != SQLITE_OK)
        {
          _xi_store_set_error (self, rc, error);
          return NULL;
        }
      stmt = own;
      sqlite3_bind_pointer (stmt, 4, filter, FILTER_POINTER_TYPE, NULL);
    }
  else
    {
      if (query != NULL)
        sql = "SELECT " KEY_COLUMNS FROM_SEARCH LIST_LIVE;
      else if (needle != NULL)
        sql = "SELECT " KEY_COLUMNS " FROM contacts c WHERE" LIST_LIVE LIST_ORDER;
      else
        /* Everybody: the ordered index alone answers, without a table read. */
        sql = "SELECT c.rowid FROM contacts c WHERE c.master_user_id = ?1 AND c.deleted = 0"
              " AND ?3 IS NULL" LIST_ORDER;
      if ((stmt = _xi_store_prepare (self, sql, error)) == NULL)
        return NULL;
    }
  _xi_store_bind_text (stmt, 1, self->master_user_id);
  if (query != NULL)
    _xi_store_bind_text (stmt, 2, query);
  _xi_store_bind_text (stmt, 3, fields_like);

  if (matches != NULL)
    map_database (self);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 key = sqlite3_column_int64 (stmt, sqlite3_column_count (stmt) - 1);

      if (++n_rows % KEYS_CHUNK == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          sqlite3_reset (stmt);
          sqlite3_finalize (own);
          return NULL;
        }

      if (needle != NULL)
        {
          fold_name (name_key, (const char *)sqlite3_column_text (stmt, 1));
          if (!_xi_contact_text_matches (name_key->str, (const char *)sqlite3_column_text (stmt, 2), needle))
            continue;
        }
      if (matches != NULL)
        keep_search_match (stmt, matches, match_text);
      else
        g_array_append_val (keys, key);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    _xi_store_set_error (self, rc, error);
  sqlite3_finalize (own);
  if (rc != SQLITE_DONE)
    return NULL;

  if (matches != NULL)
    {
      g_array_set_size (keys, matches->len);
      sort_search_matches ((const SearchMatch *)(gpointer)matches->data, matches->len, match_text->data,
                           (gint64 *)(gpointer)keys->data);
    }
  return g_steal_pointer (&keys);
}

static void
contact_unref0 (gpointer contact)
{
  if (contact != NULL)
    g_object_unref (contact);
}

/**
 * _xi_store_load_contact_keys:
 * @self: a store, on its thread
 * @keys: (array length=n_keys): rowids from _xi_store_list_contact_keys()
 * @n_keys: how many
 * @error: return location for an error
 *
 * Returns: (transfer container) (element-type XiContact): one item per
 *   key, in the same order; %NULL where the contact is gone
 */
GPtrArray *
_xi_store_load_contact_keys (XiStore       *self,
                             const gint64  *keys,
                             guint          n_keys,
                             GError       **error)
{
  g_autoptr(GPtrArray) contacts = g_ptr_array_new_full (n_keys, contact_unref0);
  sqlite3_stmt *stmt;

  stmt = _xi_store_prepare (self,
                            "SELECT " CONTACT_COLUMNS " FROM contacts c"
                            " WHERE c.rowid = ?2 AND c.master_user_id = ?1 AND c.deleted = 0",
                            error);
  if (stmt == NULL)
    return NULL;
  _xi_store_bind_text (stmt, 1, self->master_user_id);

  for (guint i = 0; i < n_keys; i++)
    {
      int rc;

      sqlite3_bind_int64 (stmt, 2, keys[i]);
      rc = sqlite3_step (stmt);
      g_ptr_array_add (contacts, rc == SQLITE_ROW ? contact_from_row (stmt) : NULL);
      sqlite3_reset (stmt);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        {
          _xi_store_set_error (self, rc, error);
          return NULL;
        }
    }
  return g_steal_pointer (&contacts);
}

typedef struct
{
  char            *needle;
  XiContactFilter *filter;
} KeysOp;

static void
keys_op_free (gpointer data)
{
  KeysOp *op = data;

  g_free (op->needle);
  g_clear_pointer (&op->filter, xi_contact_filter_unref);
  g_free (op);
}

static KeysOp *
keys_op_new (const char      *text,
             XiContactFilter *filter)
{
  KeysOp *op = g_new0 (KeysOp, 1);

  op->needle = text != NULL ? g_utf8_casefold (text, -1) : NULL;
  op->filter = filter != NULL ? xi_contact_filter_ref (filter) : NULL;
  return op;
}

static void
list_contact_keys_func (XiStore  *self,
                        GTask    *task,
                        gpointer  data)
{
  KeysOp *op = data;
  GError *error = NULL;
  GArray *keys;

  keys = _xi_store_list_contact_keys (self, op->needle, op->filter,
                                      g_task_get_cancellable (task), &error);
  if (keys == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, keys, (GDestroyNotify)g_array_unref);
}

/**
 * xi_store_list_contact_keys_async:
 * @self: a #XiStore
 * @text: (nullable): what the user typed in a search, as
 *   xi_contact_matches() takes it
 * @filter: (nullable): the conditions; it is resolved against this store,
 *   so it must not be used elsewhere until the call finishes
 * @cancellable: (nullable): a #GCancellable, checked while the rows are read
 * @callback: called with the result
 * @user_data: closure
 *
 * Lists the live contacts of the current user that match @text and
 * @filter as row keys, in the order of contact lists. A search of three
 * characters or more is answered from the search index, and from the
 * rows it has yet to catch up with, which are read. Keys name rows
 * until the next change of the contacts table; a model keeps them and
 * fetches what it shows with xi_store_load_contact_keys_async().
 */
void
xi_store_list_contact_keys_async (XiStore             *self,
                                  const char          *text,
                                  XiContactFilter     *filter,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));

  _xi_store_push_read (self, list_contact_keys_func, keys_op_new (text, filter), keys_op_free,
                       xi_store_list_contact_keys_async, cancellable, callback, user_data);
}

/**
 * xi_store_list_contact_keys_finish:
 *
 * Returns: (transfer full) (element-type gint64): the keys
 */
GArray *
xi_store_list_contact_keys_finish (XiStore       *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
load_contact_keys_func (XiStore  *self,
                        GTask    *task,
                        gpointer  data)
{
  GArray *keys = data;
  GError *error = NULL;
  GPtrArray *contacts;

  contacts = _xi_store_load_contact_keys (self, (const gint64 *)(gpointer)keys->data, keys->len, &error);
  if (contacts == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, contacts, (GDestroyNotify)g_ptr_array_unref);
}

/* Queues a read of the rows @keys name, on a copy of them. */
static void
push_keys_read (XiStore             *self,
                XiStoreFunc          func,
                const gint64        *keys,
                guint                n_keys,
                gpointer             source_tag,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  GArray *copy = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n_keys);

  g_array_append_vals (copy, keys, n_keys);
  _xi_store_push_read (self, func, copy, (GDestroyNotify)g_array_unref, source_tag, cancellable, callback,
                       user_data);
}

/**
 * xi_store_load_contact_keys_async:
 * @self: a #XiStore
 * @keys: (array length=n_keys): row keys from xi_store_list_contact_keys_finish()
 * @n_keys: how many
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Loads the contacts that @keys name, one lookup each.
 */
void
xi_store_load_contact_keys_async (XiStore             *self,
                                  const gint64        *keys,
                                  guint                n_keys,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (keys != NULL || n_keys == 0);

  push_keys_read (self, load_contact_keys_func, keys, n_keys, xi_store_load_contact_keys_async, cancellable,
                  callback, user_data);
}

/**
 * xi_store_load_contact_keys_finish:
 *
 * Returns: (transfer container) (element-type XiContact): one item per
 *   key, in order, %NULL where the contact no longer exists
 */
GPtrArray *
xi_store_load_contact_keys_finish (XiStore       *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Acting on a selection of a keyed list: the ids its keys name. */

/**
 * _xi_store_contact_ids_of_keys:
 * @self: a store, on its thread
 * @keys: (array length=n_keys): rowids from _xi_store_list_contact_keys()
 * @n_keys: how many
 * @error: return location for an error
 *
 * Returns: (transfer full): the ids of the live contacts among @keys, in
 *   their order, without building the contacts
 */
char **
_xi_store_contact_ids_of_keys (XiStore       *self,
                               const gint64  *keys,
                               guint          n_keys,
                               GError       **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  sqlite3_stmt *stmt;

  stmt = _xi_store_prepare (self,
                            "SELECT c.id FROM contacts c"
                            " WHERE c.rowid = ?2 AND c.master_user_id = ?1 AND c.deleted = 0",
                            error);
  if (stmt == NULL)
    return NULL;
  _xi_store_bind_text (stmt, 1, self->master_user_id);

  for (guint i = 0; i < n_keys; i++)
    {
      int rc;

      sqlite3_bind_int64 (stmt, 2, keys[i]);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        g_strv_builder_add (builder, (const char *)sqlite3_column_text (stmt, 0));
      sqlite3_reset (stmt);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        {
          _xi_store_set_error (self, rc, error);
          return NULL;
        }
    }
  return g_strv_builder_end (builder);
}

static void
contact_key_ids_func (XiStore  *self,
                      GTask    *task,
                      gpointer  data)
{
  GArray *keys = data;
  GError *error = NULL;
  char **ids = _xi_store_contact_ids_of_keys (self, (const gint64 *)(gpointer)keys->data, keys->len,
                                              &error);

  if (ids == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, ids, (GDestroyNotify)g_strfreev);
}

/**
 * xi_store_list_contact_ids_async:
 * @self: a #XiStore
 * @keys: (array length=n_keys): row keys from xi_store_list_contact_keys_finish()
 * @n_keys: how many
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Names the contacts that @keys point at by their ids, which the store's
 * writes take, without building the contacts: a selection of 100,000
 * rows becomes 100,000 short strings.
 */
void
xi_store_list_contact_ids_async (XiStore             *self,
                                 const gint64        *keys,
                                 guint                n_keys,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (keys != NULL || n_keys == 0);

  push_keys_read (self, contact_key_ids_func, keys, n_keys, xi_store_list_contact_ids_async, cancellable,
                  callback, user_data);
}

/**
 * xi_store_list_contact_ids_finish:
 *
 * Returns: (transfer full): the ids of the live contacts among the keys,
 *   in their order; keys of contacts gone meanwhile are left out
 */
char **
xi_store_list_contact_ids_finish (XiStore       *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
get_contact_func (XiStore  *self,
                  GTask    *task,
                  gpointer  data)
{
  GError *error = NULL;
  XiContact *contact = load_contact (self, data, &error);

  if (contact == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, contact, g_object_unref);
}

/**
 * xi_store_get_contact_async:
 * @self: a #XiStore
 * @id: a contact id
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Reads one live contact.
 */
void
xi_store_get_contact_async (XiStore             *self,
                            const char          *id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (id != NULL);

  _xi_store_push_read (self, get_contact_func, g_strdup (id), g_free,
                       xi_store_get_contact_async, cancellable, callback, user_data);
}

/**
 * xi_store_get_contact_finish:
 *
 * Returns: (transfer full): the contact, or %NULL with
 *   %XI_STORE_ERROR_NOT_FOUND when it is gone
 */
XiContact *
xi_store_get_contact_finish (XiStore       *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
any_contact_status_func (XiStore  *self,
                         GTask    *task,
                         gpointer  data)
{
  GError *error = NULL;
  sqlite3_stmt *stmt;
  int rc;

  /* The index of the contacts with a status (migration 12) answers
   * without reading the others; the planner would walk the list order's
   * index instead, which has two equal columns to its one. */
  stmt = _xi_store_prepare (self,
                            "SELECT EXISTS (SELECT 1 FROM contacts INDEXED BY contacts_status"
                            "  WHERE master_user_id = ?1"
                            "  AND deleted = 0 AND (opted_out = 1 OR on_whatsapp <> 0))",
                            &error);
  if (stmt == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  _xi_store_bind_text (stmt, 1, self->master_user_id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      _xi_store_set_error (self, rc, &error);
      sqlite3_reset (stmt);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, sqlite3_column_int (stmt, 0) != 0);
  sqlite3_reset (stmt);
}

/**
 * xi_store_any_contact_status_async:
 * @self: a #XiStore
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Asks whether any live contact has opted out or was checked on
 * WhatsApp, that is whether a list has any status to show.
 */
void
xi_store_any_contact_status_async (XiStore             *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));

  _xi_store_push_read (self, any_contact_status_func, NULL, NULL,
                       xi_store_any_contact_status_async, cancellable, callback, user_data);
}

gboolean
xi_store_any_contact_status_finish (XiStore       *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Search */

static void
search_contacts_func (XiStore  *self,
                      GTask    *task,
                      gpointer  data)
{
  KeysOp *op = data;
  g_autoptr(GArray) keys = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GPtrArray) matches = NULL;
  GError *error = NULL;

  if ((keys = _xi_store_list_contact_keys (self, op->needle, NULL, g_task_get_cancellable (task), &error)) == NULL ||
      (found = _xi_store_load_contact_keys (self, (const gint64 *)(gpointer)keys->data, keys->len, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  matches = g_ptr_array_new_full (found->len, g_object_unref);
  for (guint i = 0; i < found->len; i++)
    if (g_ptr_array_index (found, i) != NULL)
      g_ptr_array_add (matches, g_object_ref (g_ptr_array_index (found, i)));
  g_task_return_pointer (task, g_steal_pointer (&matches), (GDestroyNotify)g_ptr_array_unref);
}

/**
 * xi_store_search_contacts_async:
 * @self: a #XiStore
 * @text: what the user typed
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Finds the live contacts of the current user that xi_contact_matches()
 * says match @text, in list order, from the search index.
 */
void
xi_store_search_contacts_async (XiStore             *self,
                                const char          *text,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (text != NULL);

  _xi_store_push_read (self, search_contacts_func, keys_op_new (text, NULL), keys_op_free,
                       xi_store_search_contacts_async, cancellable, callback, user_data);
}

/**
 * xi_store_search_contacts_finish:
 *
 * Returns: (transfer container) (element-type XiContact): the matches
 */
GPtrArray *
xi_store_search_contacts_finish (XiStore       *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Save */

static gboolean
save_contact (XiStore    *self,
              XiContact  *contact,
              char      **saved_id,
              GError    **error)
{
  g_autofree char *now = _xi_store_now ();
  g_autofree char *tags = _xi_strv_to_json (xi_contact_get_tags (contact));
  g_autofree char *owner_id = NULL;
  g_autofree char *owner_name = NULL;
  g_autofree char *id = g_strdup (xi_contact_get_id (contact));
  g_autofree char *name = g_strstrip (g_strdup (xi_contact_get_name (contact) ?: ""));
  const char *phone = xi_contact_get_phone (contact);
  gboolean was_opted_out = FALSE;
  gboolean opted_out = xi_contact_get_opted_out (contact);
  sqlite3_stmt *stmt;

  if (!check_phone (phone, error) || !xi_contact_check_limits (contact, error))
    return FALSE;

  if (!find_by_phone (self, phone, &owner_id, &owner_name, error))
    return FALSE;

  if (owner_id != NULL && g_strcmp0 (owner_id, id) != 0)
    {
      g_autofree char *shown = xi_phone_format_international (phone);

      g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_DUPLICATE,
                   _("%s already belongs to “%s”. Edit that contact instead."),
                   shown, owner_name != NULL && owner_name[0] != '\0' ? owner_name : shown);
      return FALSE;
    }

  if (id == NULL)
    {
      id = _xi_store_derived_id (self, "contact", phone, NULL);
      stmt = _xi_store_prepare (self,
                                "INSERT INTO contacts (id, master_user_id, created_at, updated_at,"
                                " name, phone, tags, notes, custom_fields, opted_out, opted_out_at,"
                                " sort_key)"
                                " VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
                                "  CASE WHEN ?9 THEN ?3 END, xi_sort_key (?4))"
                                " ON CONFLICT (id) DO UPDATE SET deleted = 0, updated_at = ?3,"
                                "  version = version + 1, sync_status = 'pending', name = ?4,"
                                "  sort_key = excluded.sort_key,"
                                "  phone = ?5, tags = ?6, notes = ?7, custom_fields = ?8,"
                                "  opted_out = ?9, opted_out_at = CASE WHEN ?9 THEN ?3 END"
                                " WHERE contacts.deleted = 1",
                                error);
    }
  else
    {
      XiContact *old = load_contact (self, id, error);

      if (old == NULL)
        return FALSE;
      was_opted_out = xi_contact_get_opted_out (old);
      g_object_unref (old);

      stmt = _xi_store_prepare (self,
                                "UPDATE contacts SET updated_at = ?3, version = version + 1,"
                                " sync_status = 'pending', name = ?4, sort_key = xi_sort_key (?4),"
                                " phone = ?5, tags = ?6,"
                                " notes = ?7, custom_fields = ?8, opted_out = ?9,"
                                " opted_out_at = CASE WHEN ?9 THEN coalesce (opted_out_at, ?3) END"
                                " WHERE id = ?1 AND master_user_id = ?2 AND deleted = 0",
                                error);
    }
  if (stmt == NULL)
    return FALSE;

  _xi_store_bind_text (stmt, 1, id);
  _xi_store_bind_text (stmt, 2, self->master_user_id);
  _xi_store_bind_text (stmt, 3, now);
  _xi_store_bind_text (stmt, 4, name);
  _xi_store_bind_text (stmt, 5, phone);
  _xi_store_bind_text (stmt, 6, tags);
  _xi_store_bind_text (stmt, 7, xi_contact_get_notes (contact));
  _xi_store_bind_text (stmt, 8, _xi_contact_get_custom_json (contact));
  sqlite3_bind_int (stmt, 9, opted_out);

  if (!_xi_store_step_done (self, stmt, error))
    return FALSE;

  if (sqlite3_changes (self->db) == 0)
    {
      /* The derived id belongs to a live contact whose number was since
       * changed: this new contact gets a random id instead. */
      g_free (id);
      id = _xi_store_new_id ();
      _xi_store_bind_text (stmt, 1, id);
      if (!_xi_store_step_done (self, stmt, error))
        return FALSE;
    }

  if (!set_memberships (self, id, xi_contact_get_group_ids (contact), now, error))
    return FALSE;

  if (opted_out != was_opted_out)
    {
      g_autofree char *masked = xi_log_anonymize_phone (phone);

      if (!_xi_store_record_suppression (self, phone, id, opted_out, "manual", NULL, NULL, now, error) ||
          !_xi_store_log_activity (self, opted_out ? "contact.opted-out" : "contact.opted-in",
                                   masked, NULL, error))
        return FALSE;
    }

  *saved_id = g_steal_pointer (&id);
  return TRUE;
}

static void
save_contact_func (XiStore  *self,
                   GTask    *task,
                   gpointer  data)
{
  g_autofree char *id = NULL;
  GError *error = NULL;
  XiContact *saved;

  if (!_xi_store_begin (self, &error) ||
      !save_contact (self, data, &id, &error) ||
      (saved = load_contact (self, id, &error)) == NULL ||
      !_xi_store_commit (self, &error))
    {
      _xi_store_rollback (self);
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, saved, g_object_unref);
}

/**
 * xi_store_save_contact_async:
 * @self: a #XiStore
 * @contact: the contact to create (no id) or update; copied at call time
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Saves a contact, including its group memberships (the list on @contact
 * is authoritative) and an opt-out change, which is also recorded as a
 * suppression event. A number that another contact already has fails with
 * %XI_STORE_ERROR_DUPLICATE.
 */
void
xi_store_save_contact_async (XiStore             *self,
                             XiContact           *contact,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (XI_IS_CONTACT (contact));

  _xi_store_push (self, save_contact_func, xi_contact_copy (contact), g_object_unref,
                  xi_store_save_contact_async, cancellable, callback, user_data);
}

/**
 * xi_store_save_contact_finish:
 *
 * Returns: (transfer full): the contact as stored (with id and version)
 */
XiContact *
xi_store_save_contact_finish (XiStore       *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Delete and opt out, both over a list of ids */

typedef struct
{
  char     **ids;
  gboolean   opted_out;
} IdsOp;

static void
ids_op_free (gpointer data)
{
  IdsOp *op = data;

  g_strfreev (op->ids);
  g_free (op);
}

static IdsOp *
ids_op_new (const char * const *ids,
            gboolean            opted_out)
{
  IdsOp *op = g_new0 (IdsOp, 1);

  op->ids = g_strdupv ((char **)ids);
  op->opted_out = opted_out;
  return op;
}

/* Runs an UPDATE whose parameters are a contact id (?1), the user (?2)
 * and the time (?3). */
static gboolean
update_contact_rows (XiStore     *self,
                     const char  *sql,
                     const char  *id,
                     const char  *now,
                     GError     **error)
{
  sqlite3_stmt *stmt = _xi_store_prepare (self, sql, error);

  if (stmt == NULL)
    return FALSE;
  _xi_store_bind_text (stmt, 1, id);
  _xi_store_bind_text (stmt, 2, self->master_user_id);
  _xi_store_bind_text (stmt, 3, now);
  return _xi_store_step_done (self, stmt, error);
}

/* Soft-deletes a live contact and its memberships; *@deleted says
 * whether there was one. */
static gboolean
delete_contact (XiStore     *self,
                const char  *id,
                const char  *now,
                gboolean    *deleted,
                GError     **error)
{
  *deleted = FALSE;
  if (!update_contact_rows (self,
                            "UPDATE contacts SET deleted = 1, updated_at = ?3,"
                            " version = version + 1, sync_status = 'pending'"
                            " WHERE id = ?1 AND master_user_id = ?2 AND deleted = 0",
                            id, now, error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    return TRUE;
  *deleted = TRUE;

  return update_contact_rows (self,
                              "UPDATE group_members SET deleted = 1, updated_at = ?3,"
                              " version = version + 1, sync_status = 'pending'"
                              " WHERE contact_id = ?1 AND master_user_id = ?2 AND deleted = 0",
                              id, now, error);
}

static void
delete_contacts_func (XiStore  *self,
                      GTask    *task,
                      gpointer  data)
{
  IdsOp *op = data;
  g_autofree char *now = _xi_store_now ();
  g_autofree char *summary = NULL;
  GError *error = NULL;
  guint deleted = 0;

  if (!_xi_store_begin (self, &error))
    goto failed;

  for (guint i = 0; op->ids[i] != NULL; i++)
    {
      gboolean done;

      if (!delete_contact (self, op->ids[i], now, &done, &error))
        goto failed;
      if (done)
        deleted++;
    }

  summary = g_strdup_printf ("%u", deleted);
  if (!_xi_store_log_activity (self, "contacts.deleted", summary, NULL, &error) ||
      !_xi_store_commit (self, &error))
    goto failed;

  g_task_return_int (task, deleted);
  return;

failed:
  _xi_store_rollback (self);
  g_task_return_error (task, error);
}

/**
 * xi_store_delete_contacts_async:
 * @self: a #XiStore
 * @ids: contact ids
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Soft-deletes contacts and their memberships. Their opt-out history is
 * kept: deleting a contact never makes a number messageable again.
 */
void
xi_store_delete_contacts_async (XiStore             *self,
                                const char * const  *ids,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (ids != NULL);

  _xi_store_push (self, delete_contacts_func, ids_op_new (ids, FALSE), ids_op_free,
                  xi_store_delete_contacts_async, cancellable, callback, user_data);
}

/**
 * xi_store_delete_contacts_finish:
 *
 * Returns: how many contacts were deleted
 */
guint
xi_store_delete_contacts_finish (XiStore       *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  gssize count;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);

  count = g_task_propagate_int (G_TASK (result), error);
  return count > 0 ? (guint)count : 0;
}

/* Whether a live contact other than @id has @id's number: restoring @id
 * would then break the one-contact-per-number rule. */
static gboolean
number_taken (XiStore     *self,
              const char  *id,
              gboolean    *taken,
              GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = _xi_store_prepare (self,
                            "SELECT 1 FROM contacts c JOIN contacts d"
                            " ON c.master_user_id = d.master_user_id AND c.phone = d.phone"
                            " WHERE d.id = ?1 AND d.master_user_id = ?2 AND c.deleted = 0",
                            error);
  if (stmt == NULL)
    return FALSE;
  _xi_store_bind_text (stmt, 1, id);
  _xi_store_bind_text (stmt, 2, self->master_user_id);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _xi_store_set_error (self, rc, error);
      return FALSE;
    }
  *taken = rc == SQLITE_ROW;
  return TRUE;
}

/* Revives one deleted contact and the memberships its deletion ended.
 * Those carry the deletion's own timestamp (one per transaction, in
 * milliseconds), so a membership the user removed earlier stays removed,
 * and so does one in a group deleted since. */
static gboolean
restore_contact (XiStore     *self,
                 const char  *id,
                 const char  *now,
                 gboolean    *restored,
                 GError     **error)
{
  gboolean taken = FALSE;

  *restored = FALSE;
  if (!number_taken (self, id, &taken, error))
    return FALSE;
  if (taken)
    return TRUE;

  if (!update_contact_rows (self,
                            "UPDATE group_members SET deleted = 0, updated_at = ?3,"
                            " version = version + 1, sync_status = 'pending'"
                            " WHERE contact_id = ?1 AND master_user_id = ?2 AND deleted = 1"
                            " AND updated_at = (SELECT updated_at FROM contacts"
                            "  WHERE id = ?1 AND master_user_id = ?2 AND deleted = 1)"
                            " AND group_id IN (SELECT id FROM groups"
                            "  WHERE master_user_id = ?2 AND deleted = 0)",
                            id, now, error) ||
      !update_contact_rows (self,
                            "UPDATE contacts SET deleted = 0, updated_at = ?3,"
                            " version = version + 1, sync_status = 'pending'"
                            " WHERE id = ?1 AND master_user_id = ?2 AND deleted = 1",
                            id, now, error))
    return FALSE;

  *restored = sqlite3_changes (self->db) > 0;
  return TRUE;
}

static void
restore_contacts_func (XiStore  *self,
                       GTask    *task,
                       gpointer  data)
{
  IdsOp *op = data;
  g_autofree char *now = _xi_store_now ();
  g_autofree char *summary = NULL;
  g_autoptr(GPtrArray) contacts = g_ptr_array_new_with_free_func (g_object_unref);
  GError *error = NULL;

  if (!_xi_store_begin (self, &error))
    goto failed;

  for (guint i = 0; op->ids[i] != NULL; i++)
    {
      XiContact *contact;
      gboolean restored;

      if (!restore_contact (self, op->ids[i], now, &restored, &error))
        goto failed;
      if (!restored)
        continue;
      contact = load_contact (self, op->ids[i], &error);
      if (contact == NULL)
        goto failed;
      g_ptr_array_add (contacts, contact);
    }

  summary = g_strdup_printf ("%u", contacts->len);
  if (!_xi_store_log_activity (self, "contacts.restored", summary, NULL, &error) ||
      !_xi_store_commit (self, &error))
    goto failed;

  g_task_return_pointer (task, g_steal_pointer (&contacts), (GDestroyNotify)g_ptr_array_unref);
  return;

failed:
  _xi_store_rollback (self);
  g_task_return_error (task, error);
}

/**
 * xi_store_restore_contacts_async:
 * @self: a #XiStore
 * @ids: ids of deleted contacts
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Undoes xi_store_delete_contacts_async(): the contacts come back with
 * their fields and the group memberships the deletion ended. Like the
 * deletion, this is an ordinary edit (a new version, pending sync), so
 * other devices see the contact deleted and then back. A contact whose
 * number another contact has taken since, or that is not deleted, is
 * left as it is.
 */
void
xi_store_restore_contacts_async (XiStore             *self,
                                 const char * const  *ids,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (ids != NULL);

  _xi_store_push (self, restore_contacts_func, ids_op_new (ids, FALSE), ids_op_free,
                  xi_store_restore_contacts_async, cancellable, callback, user_data);
}

/**
 * xi_store_restore_contacts_finish:
 *
 * Returns: (transfer full) (element-type XiContact): the contacts restored
 */
GPtrArray *
xi_store_restore_contacts_finish (XiStore       *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
set_opted_out_func (XiStore  *self,
                    GTask    *task,
                    gpointer  data)
{
  IdsOp *op = data;
  g_autofree char *now = _xi_store_now ();
  g_autofree char *summary = NULL;
  GError *error = NULL;
  guint changed = 0;

  if (!_xi_store_begin (self, &error))
    goto failed;

  for (guint i = 0; op->ids[i] != NULL; i++)
    {
      g_autoptr(XiContact) contact = load_contact (self, op->ids[i], NULL);

      if (contact == NULL || xi_contact_get_opted_out (contact) == op->opted_out)
        continue;

      if (!_xi_store_set_contact_opted_out (self, op->ids[i], op->opted_out, now, &error) ||
          !_xi_store_record_suppression (self, xi_contact_get_phone (contact), op->ids[i], op->opted_out,
                                         "manual", NULL, NULL, now, &error))
        goto failed;
      changed++;
    }

  summary = g_strdup_printf ("%u", changed);
  if (!_xi_store_log_activity (self, op->opted_out ? "contacts.opted-out" : "contacts.opted-in",
                               summary, NULL, &error) ||
      !_xi_store_commit (self, &error))
    goto failed;

  g_task_return_int (task, changed);
  return;

failed:
  _xi_store_rollback (self);
  g_task_return_error (task, error);
}

/**
 * xi_store_set_opted_out_async:
 * @self: a #XiStore
 * @ids: contact ids
 * @opted_out: %TRUE to stop messaging them, %FALSE to allow it again
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Marks contacts as opted out (or back in), recording a suppression event
 * for each change so the decision survives sync and deletion.
 */
void
xi_store_set_opted_out_async (XiStore             *self,
                              const char * const  *ids,
                              gboolean             opted_out,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (ids != NULL);

  _xi_store_push (self, set_opted_out_func, ids_op_new (ids, opted_out), ids_op_free,
                  xi_store_set_opted_out_async, cancellable, callback, user_data);
}

/**
 * xi_store_set_opted_out_finish:
 *
 * Returns: how many contacts changed
 */
guint
xi_store_set_opted_out_finish (XiStore       *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  gssize count;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);

  count = g_task_propagate_int (G_TASK (result), error);
  return count > 0 ? (guint)count : 0;
}

/* WhatsApp checks */

typedef struct
{
  char **on;
  char **off;
} CheckedOp;

static void
checked_op_free (gpointer data)
{
  CheckedOp *op = data;

  g_strfreev (op->on);
  g_strfreev (op->off);
  g_free (op);
}

static gboolean
mark_on_whatsapp (XiStore     *self,
                  char       **phones,
                  XiOnWhatsApp value,
                  const char  *now,
                  guint       *changed,
                  GError     **error)
{
  gint64 checked_at = g_get_real_time () / G_USEC_PER_SEC;

  for (guint i = 0; phones != NULL && phones[i] != NULL; i++)
    {
      sqlite3_stmt *stmt = _xi_store_prepare (self,
                                              "UPDATE contacts SET on_whatsapp = ?3,"
                                              " on_whatsapp_checked_at = ?4, updated_at = ?5,"
                                              " version = version + 1, sync_status = 'pending'"
                                              " WHERE phone = ?1 AND master_user_id = ?2 AND deleted = 0",
                                              error);

      if (stmt == NULL)
        return FALSE;
      _xi_store_bind_text (stmt, 1, phones[i]);
      _xi_store_bind_text (stmt, 2, self->master_user_id);
      sqlite3_bind_int (stmt, 3, value);
      sqlite3_bind_int64 (stmt, 4, checked_at);
      _xi_store_bind_text (stmt, 5, now);
      if (!_xi_store_step_done (self, stmt, error))
        return FALSE;
      *changed += sqlite3_changes (self->db);
    }
  return TRUE;
}

static void
set_on_whatsapp_func (XiStore  *self,
                      GTask    *task,
                      gpointer  data)
{
  CheckedOp *op = data;
  g_autofree char *now = _xi_store_now ();
  GError *error = NULL;
  guint changed = 0;

  if (!_xi_store_begin (self, &error))
    goto failed_early;
  if (!mark_on_whatsapp (self, op->on, XI_ON_WHATSAPP_YES, now, &changed, &error) ||
      !mark_on_whatsapp (self, op->off, XI_ON_WHATSAPP_NO, now, &changed, &error) ||
      !_xi_store_commit (self, &error))
    goto failed;

  g_task_return_int (task, changed);
  return;

failed:
  _xi_store_rollback (self);
failed_early:
  g_task_return_error (task, error);
}

/**
 * xi_store_set_on_whatsapp_async:
 * @self: a #XiStore
 * @on: (nullable) (array zero-terminated=1): numbers (E.164 digits)
 *   WhatsApp said have an account
 * @off: (nullable) (array zero-terminated=1): numbers it said have none
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Records the answer of a WhatsApp check, dated now, on every contact
 * with one of these numbers. Campaigns created later skip the ones that
 * are not on WhatsApp.
 */
void
xi_store_set_on_whatsapp_async (XiStore             *self,
                                const char * const  *on,
                                const char * const  *off,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  CheckedOp *op;

  g_return_if_fail (XI_IS_STORE (self));

  op = g_new0 (CheckedOp, 1);
  op->on = g_strdupv ((char **) on);
  op->off = g_strdupv ((char **) off);
  _xi_store_push (self, set_on_whatsapp_func, op, checked_op_free,
                  xi_store_set_on_whatsapp_async, cancellable, callback, user_data);
}

/**
 * xi_store_set_on_whatsapp_finish:
 *
 * Returns: how many contacts were updated
 */
guint
xi_store_set_on_whatsapp_finish (XiStore       *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  gssize count;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);

  count = g_task_propagate_int (G_TASK (result), error);
  return count > 0 ? (guint)count : 0;
}

/* Import */

/* What to import: a batch read beforehand, or a file read as it is
 * written. */
typedef struct
{
  XiImportBatch   *batch;
  GFile           *file;
  GBytes          *contents;      /* the file read already, or NULL */
  XiImportOptions *options;
  char            *country;
  char            *group_name;
  XiProgressRelay *progress;
  gboolean         dry_run;
} ImportOp;

static void
import_op_free (gpointer data)
{
  ImportOp *op = data;

  g_clear_pointer (&op->batch, xi_import_batch_free);
  g_clear_object (&op->file);
  g_clear_pointer (&op->contents, g_bytes_unref);
  g_clear_pointer (&op->options, xi_import_options_free);
  g_free (op->country);
  g_clear_pointer (&op->progress, xi_progress_relay_unref);
  g_free (op->group_name);
  g_free (op);
}

/* One import on the store thread, across the rows of a batch or the
 * successive rows of a file. */
typedef struct
{
  XiStore         *store;
  XiImportReport  *report;
  GHashTable      *groups;        /* name → id, the groups met so far */
  GHashTable      *phone_index;   /* NULL: each number is looked up */
  const char      *target_group;
  const char      *now;
  GCancellable    *cancellable;
  XiProgressRelay *progress;      /* NULL when the reader reports */
  guint64          expected_rows; /* at most this many rows; 0 until the first are read */
  gboolean         bulk;          /* the per-row triggers are paused */
  gboolean         expect_known;  /* the last row merged into a contact there was */
  GString         *json;          /* scratch for each row's custom fields */
  gboolean         members_at_end;  /* new contacts join target_group at the end */
  gint64           last_rowid;    /* contacts' largest rowid before the import */
  char            *search_trigger;  /* the SQL that puts back contacts_search_insert */
  char            *fields_trigger;  /* the SQL that puts back contact_fields_insert */
  GHashTable      *field_counts;    /* name → contacts created in bulk that have it */
  GPtrArray       *dropped_indexes; /* the SQL of each index to build at the end */
  double           started;       /* the store thread's processor time at the start */
} ImportRun;

static void
import_run_clear (ImportRun *run)
{
  if (run->json != NULL)
    g_string_free (g_steal_pointer (&run->json), TRUE);
  g_clear_pointer (&run->search_trigger, g_free);
  g_clear_pointer (&run->fields_trigger, g_free);
  g_clear_pointer (&run->field_counts, g_hash_table_unref);
  g_clear_pointer (&run->dropped_indexes, g_ptr_array_unref);
}

void
xi_import_report_free (XiImportReport *report)
{
  if (report == NULL)
    return;
  g_clear_pointer (&report->issues, g_ptr_array_unref);
  g_strfreev (report->custom_field_names);
  g_free (report);
}

/* The row's custom fields as a JSON object in @scratch, which every row
 * of an import reuses; NULL when it has none. */
static const char *
custom_json_for_row (XiImportBatch *batch,
                     XiImportRow   *row,
                     GString       *scratch)
{
  g_string_truncate (scratch, 0);
  for (guint i = 0; batch->custom_field_names[i] != NULL; i++)
    {
      if (row->custom_values[i] == NULL)
        continue;
      g_string_append_c (scratch, scratch->len == 0 ? '{' : ',');
      _xi_json_append_string (scratch, batch->custom_field_names[i]);
      g_string_append_c (scratch, ':');
      _xi_json_append_string (scratch, row->custom_values[i]);
    }
  if (scratch->len == 0)
    return NULL;
  return g_string_append_c (scratch, '}')->str;
}

/* What the merge writes in each column, from the row's name (?4), notes
 * (?5), tags (?6, JSON) and custom fields (?7, JSON). */
#define MERGED_NAME "CASE WHEN ?4 IS NULL OR ?4 = '' THEN name ELSE ?4 END"
#define MERGED_SORT_KEY "CASE WHEN ?4 IS NULL OR ?4 = '' THEN sort_key ELSE xi_sort_key (?4) END"
#define MERGED_NOTES "coalesce (?5, notes)"
#define MERGED_TAGS \
  "CASE WHEN ?6 = '[]' THEN tags" \
  " ELSE (SELECT json_group_array (value) FROM" \
  "  (SELECT value FROM json_each (contacts.tags)" \
  "   UNION SELECT value FROM json_each (?6))) END"
#define MERGED_FIELDS \
  "CASE WHEN ?7 IS NULL THEN custom_fields ELSE json_patch (custom_fields, ?7) END"

/*
 * The merge of a row with number ?8 would write what the contact holds
 * already, its stamps aside (the time, the version and the pending
 * state), and the contact is not waiting for sync to settle a conflict
 * or a refusal, which a merge marks pending again. Such a contact is
 * left as it is, stamps and all, as the changes it would announce are
 * none and sync (xi-store-sync.c) would put the stamps back anyway.
 */
#define MERGE_CHANGES_NOTHING \
  "(deleted = 0 AND phone = ?8 AND name IS " MERGED_NAME " AND sort_key IS " MERGED_SORT_KEY \
  " AND notes IS " MERGED_NOTES " AND tags IS " MERGED_TAGS \
  " AND custom_fields IS " MERGED_FIELDS \
  " AND (sync_status = 'pending' OR sync_status = 'synced'))"

/* The parameters the expressions above read, and the number, ?8. */
static void
bind_merged (sqlite3_stmt *stmt,
             XiImportRow  *row,
             const char   *tags_json,
             const char   *custom_json)
{
  _xi_store_bind_text_static (stmt, 4, row->name);
  _xi_store_bind_text_static (stmt, 5, row->notes);
  _xi_store_bind_text_static (stmt, 6, tags_json);
  _xi_store_bind_text_static (stmt, 7, custom_json);
  _xi_store_bind_text_static (stmt, 8, row->phone);
}

/*
 * Merges one imported row into an existing contact: a spreadsheet adds
 * what it knows and never erases what the user typed before. Empty cells
 * keep the old value, tags are united, custom fields merged with the file
 * winning, and the opt-out flag is never touched by an import. A merge
 * that would change nothing is not written (MERGE_CHANGES_NOTHING).
 *
 * A row without tags leaves the contact's as they are: the union is a
 * temporary table built and sorted for every row, a sixth of the cost
 * of importing again a file that has no tags column (bench-import,
 * 100,000 rows).
 */
static gboolean
merge_row (XiStore      *self,
           const char   *id,
           XiImportRow  *row,
           const char   *tags_json,
           const char   *custom_json,
           const char   *now,
           GError      **error)
{
  sqlite3_stmt *stmt;

  stmt = _xi_store_prepare (self,
                            "UPDATE contacts SET updated_at = ?3, version = version + 1,"
                            " sync_status = 'pending', deleted = 0, phone = ?8,"
                            " name = " MERGED_NAME ", sort_key = " MERGED_SORT_KEY ","
                            " notes = " MERGED_NOTES ", tags = " MERGED_TAGS ","
                            " custom_fields = " MERGED_FIELDS
                            " WHERE id = ?1 AND master_user_id = ?2 AND NOT " MERGE_CHANGES_NOTHING,
                            error);
  if (stmt == NULL)
    return FALSE;

  _xi_store_bind_text_static (stmt, 1, id);
  _xi_store_bind_text_static (stmt, 2, self->master_user_id);
  _xi_store_bind_text_static (stmt, 3, now);
  bind_merged (stmt, row, tags_json, custom_json);
  return _xi_store_step_done (self, stmt, error);
}

/*
 * Whether the row's number is a live contact under the id the number
 * derives: the contact a file imported again finds for nearly every row,
 * and which the row merges into however it is looked up, the number
 * being unique among live contacts. *@unchanged then says that the merge
 * would change nothing (MERGE_CHANGES_NOTHING), and *@member that the
 * contact is a live member of @group_id already.
 *
 * One read by the primary key, where finding the contact by inserting
 * and then by number and rewriting it, its indexes and its triggers cost
 * 107,000 instructions a row (bench-import, 100,000 rows imported again).
 */
static gboolean
find_derived_contact (XiStore      *self,
                      const char   *derived_id,
                      XiImportRow  *row,
                      const char   *tags_json,
                      const char   *custom_json,
                      const char   *group_id,
                      gboolean     *found,
                      gboolean     *unchanged,
                      gboolean     *member,
                      GError      **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = _xi_store_prepare (self,
                            "SELECT " MERGE_CHANGES_NOTHING ","
                            " EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = ?9"
                            "  AND m.contact_id = contacts.id AND m.deleted = 0)"
                            " FROM contacts WHERE id = ?1 AND master_user_id = ?2"
                            "  AND phone = ?8 AND deleted = 0",
                            error);
  if (stmt == NULL)
    return FALSE;

  _xi_store_bind_text_static (stmt, 1, derived_id);
  _xi_store_bind_text_static (stmt, 2, self->master_user_id);
  bind_merged (stmt, row, tags_json, custom_json);
  _xi_store_bind_text_static (stmt, 9, group_id);

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _xi_store_set_error (self, rc, error);
      sqlite3_reset (stmt);
      return FALSE;
    }
  *found = rc == SQLITE_ROW;
  *unchanged = *found && sqlite3_column_int (stmt, 0);
  *member = *found && sqlite3_column_int (stmt, 1);
  sqlite3_reset (stmt);
  return TRUE;
}

/* Inserts a new contact under its derived id. Returns in @inserted whether
 * it was written: not when the id was already taken (a deleted contact
 * with that number is revived; a live one whose number was since edited
 * makes this row keep looking), nor, with @any_conflict, when a live
 * contact has the number. */
static gboolean
insert_row (XiStore      *self,
            const char   *id,
            XiImportRow  *row,
            const char   *tags_json,
            const char   *custom_json,
            const char   *now,
            gboolean      any_conflict,
            gboolean     *inserted,
            GError      **error)
{
  sqlite3_stmt *stmt;

  if (any_conflict)
    stmt = _xi_store_prepare (self,
                              "INSERT INTO contacts (id, master_user_id, created_at, updated_at,"
                              " name, phone, tags, notes, custom_fields, sort_key)"
                              " VALUES (?1, ?2, ?3, ?3, coalesce (?4, ''), ?5, ?6, ?7,"
                              "  coalesce (?8, '{}'), xi_sort_key (?4))"
                              " ON CONFLICT DO NOTHING",
                              error);
  else
    stmt = _xi_store_prepare (self,
                              "INSERT INTO contacts (id, master_user_id, created_at, updated_at,"
                              " name, phone, tags, notes, custom_fields, sort_key)"
                              " VALUES (?1, ?2, ?3, ?3, coalesce (?4, ''), ?5, ?6, ?7,"
                              "  coalesce (?8, '{}'), xi_sort_key (?4))"
                              " ON CONFLICT (id) DO NOTHING",
                              error);
  if (stmt == NULL)
    return FALSE;

  _xi_store_bind_text_static (stmt, 1, id);
  _xi_store_bind_text_static (stmt, 2, self->master_user_id);
  _xi_store_bind_text_static (stmt, 3, now);
  _xi_store_bind_text_static (stmt, 4, row->name);
  _xi_store_bind_text_static (stmt, 5, row->phone);
  _xi_store_bind_text_static (stmt, 6, tags_json);
  _xi_store_bind_text_static (stmt, 7, row->notes);
  _xi_store_bind_text_static (stmt, 8, custom_json);

  if (!_xi_store_step_done (self, stmt, error))
    return FALSE;

  *inserted = sqlite3_changes (self->db) > 0;
  if (*inserted)
    _xi_store_changes_note (self, "contacts", id);
  return TRUE;
}

static gboolean
is_deleted (XiStore    *self,
            const char *id)
{
  sqlite3_stmt *stmt;
  gboolean deleted = FALSE;

  stmt = _xi_store_prepare (self, "SELECT deleted FROM contacts WHERE id = ?1 AND master_user_id = ?2",
                            NULL);
  if (stmt == NULL)
    return FALSE;
  _xi_store_bind_text (stmt, 1, id);
  _xi_store_bind_text (stmt, 2, self->master_user_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    deleted = sqlite3_column_int (stmt, 0);
  sqlite3_reset (stmt);

  return deleted;
}

/* Live contacts by number, loaded once per import instead of one query per
 * row; rows inserted by the import are added as they go. */
static GHashTable *
load_phone_index (XiStore  *self,
                  GError  **error)
{
  g_autoptr(GHashTable) index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = _xi_store_prepare (self,
                            "SELECT phone, id FROM contacts WHERE master_user_id = ?1 AND deleted = 0",
                            error);
  if (stmt == NULL)
    return NULL;

  _xi_store_bind_text (stmt, 1, self->master_user_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_insert (index, g_strdup ((const char *)sqlite3_column_text (stmt, 0)),
                         g_strdup ((const char *)sqlite3_column_text (stmt, 1)));
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      _xi_store_set_error (self, rc, error);
      return NULL;
    }
  return g_steal_pointer (&index);
}

/* Writes one row for @run: a new contact, or a merge into the live
 * contact with its number. *@member says that the contact is a live
 * member of the import's group already. */
static gboolean
import_row (ImportRun       *run,
            XiImportBatch   *batch,
            XiImportRow     *row,
            const char      *derived_id,
            char           **contact_id,
            gboolean        *member,
            GError         **error)
{
  XiStore *self = run->store;
  g_autofree char *tags_json = _xi_strv_to_json ((const char * const *)row->tags);
  const char *custom_json = custom_json_for_row (batch, row, run->json);
  g_autofree char *id = NULL;
  gboolean inserted = FALSE;
  gboolean found = FALSE;
  gboolean unchanged = FALSE;

  *member = FALSE;
  /* A row after one that merged is likely to merge too, as in a file
   * imported again; after one that was new, it is looked for only as
   * below, which costs a new contact nothing more. */
  if (run->expect_known &&
      !find_derived_contact (self, derived_id, row, tags_json, custom_json, run->target_group,
                             &found, &unchanged, member, error))
    return FALSE;
  if (found)
    id = g_strdup (derived_id);
  else if (run->phone_index != NULL)
    id = g_strdup (g_hash_table_lookup (run->phone_index, row->phone));
  else
    {
      /* Without the numbers in memory, a row is first written as a new
       * contact, which gives way to any live contact with its number or
       * row with its id; only then is the number looked up, in the
       * contacts' own index, which sees what this import wrote, so a
       * number listed twice is merged. */
      if (!insert_row (self, derived_id, row, tags_json, custom_json, run->now, TRUE, &inserted,
                       error))
        return FALSE;
      if (inserted)
        id = g_strdup (derived_id);
      else if (!find_by_phone (self, row->phone, &id, NULL, error))
        return FALSE;
    }

  if (id == NULL)
    {
      id = g_strdup (derived_id);
      if (!insert_row (self, id, row, tags_json, custom_json, run->now, FALSE, &inserted, error))
        return FALSE;

      if (!inserted && !is_deleted (self, id))
        {
          g_free (id);
          id = _xi_store_new_id ();
          if (!insert_row (self, id, row, tags_json, custom_json, run->now, FALSE, &inserted,
                           error))
            return FALSE;
        }
    }

  run->expect_known = !inserted;
  if (inserted)
    run->report->imported++;
  else
    {
      if (!unchanged && !merge_row (self, id, row, tags_json, custom_json, run->now, error))
        return FALSE;
      run->report->updated++;
    }

  /* New or revived, the contact is now live under this number. */
  if (run->phone_index != NULL && !found)
    g_hash_table_insert (run->phone_index, g_strdup (row->phone), g_strdup (id));

  *contact_id = g_steal_pointer (&id);
  return TRUE;
}

typedef struct
{
  char        *id;           /* the id a new contact for this row gets */
  XiImportRow *row;
} Pending;

static int
pending_compare (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (((const Pending *)a)->id, ((const Pending *)b)->id);
}

static void
pending_clear (gpointer data)
{
  g_free (((Pending *)data)->id);
}

/*
 * The rows in the order of the ids new contacts get, so the primary key
 * index grows in order instead of at random. The sort is stable and equal
 * numbers have equal ids, so a number listed twice is still merged in file
 * order.
 */
static GArray *
rows_in_key_order (XiStore       *self,
                   XiImportBatch *batch)
{
  GArray *pending = g_array_sized_new (FALSE, FALSE, sizeof (Pending), batch->rows->len);

  g_array_set_clear_func (pending, pending_clear);
  for (guint i = 0; i < batch->rows->len; i++)
    {
      Pending p;

      p.row = g_ptr_array_index (batch->rows, i);
      p.id = _xi_store_derived_id (self, "contact", p.row->phone, NULL);
      g_array_append_val (pending, p);
    }
  g_array_sort (pending, pending_compare);
  return pending;
}

typedef struct
{
  const char *group_id;     /* owned by the group cache */
  char       *contact_id;
} Membership;

static int
membership_compare (gconstpointer a,
                    gconstpointer b)
{
  const Membership *x = a, *y = b;
  int by_group = strcmp (x->group_id, y->group_id);

  return by_group != 0 ? by_group : strcmp (x->contact_id, y->contact_id);
}

static void
membership_clear (gpointer data)
{
  g_free (((Membership *)data)->contact_id);
}

/* Sorted, the memberships go into their indexes in key order, which is
 * more than twice as fast as the random order of the file. */
static gboolean
add_memberships (XiStore     *self,
                 GArray      *memberships,
                 const char  *now,
                 GError     **error)
{
  g_array_sort (memberships, membership_compare);
  for (guint i = 0; i < memberships->len; i++)
    {
      Membership *m = &g_array_index (memberships, Membership, i);

      if (!_xi_store_add_member (self, m->group_id, m->contact_id, now, NULL, error))
        return FALSE;
    }
  return TRUE;
}

/* Rows of one batch from which an import writes without per-row
 * triggers; below it, the two schema changes would cost more than they
 * save. */
#define BULK_ROWS 1000

/* The most rows an import builds its indexes for at the end, counted
 * as the file's lines before the first rows are written. SQLite sorts
 * their keys in memory, as temporary storage is (xi-store.c), about 80
 * bytes a row for the largest of them, with the page cache shrunk first;
 * a million rows so stay under 200 MB, where inserting them one by one
 * at random places overflows the cache and takes twice as long. */
#define REBUILD_MAX_ROWS 2000000

/*
 * Indexes that an import into an empty or small table builds once at the
 * end, from sorted keys, rather than entry by entry at random places:
 * the contact list's order, and memberships by id (which only sync's
 * lookups from the outbox use; its triggers find a membership by its
 * pair). Each is built again exactly as sqlite_schema held it.
 * Memberships by contact stay: the new contacts join their group in the
 * order of their ids (add_new_contacts_to_group ()), so each entry goes
 * at the end of that index, which costs less than sorting them all again
 * to rebuild it (bench-import, 100,000 rows: 1 % of the import).
 */
static gboolean
drop_deferred_indexes (ImportRun  *run,
                       guint       n_rows,
                       GError    **error)
{
  XiStore *self = run->store;
  sqlite3_stmt *stmt;
  gint64 members = 0;
  int rc;

  if (run->expected_rows > REBUILD_MAX_ROWS || run->last_rowid > n_rows)
    return TRUE;

  stmt = _xi_store_prepare (self, "SELECT count (*) FROM group_members", error);
  if (stmt == NULL)
    return FALSE;
  if ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    members = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    {
      _xi_store_set_error (self, rc, error);
      return FALSE;
    }
  if (members > n_rows)
    return TRUE;

  stmt = _xi_store_prepare (self,
                            "SELECT name, sql FROM sqlite_schema WHERE type = 'index'"
                            " AND sql IS NOT NULL AND (name = 'contacts_order' OR name = 'group_members_id')",
                            error);
  if (stmt == NULL)
    return FALSE;
  run->dropped_indexes = g_ptr_array_new_with_free_func (g_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_ptr_array_add (run->dropped_indexes, g_strdup ((const char *)sqlite3_column_text (stmt, 0)));
      g_ptr_array_add (run->dropped_indexes, g_strdup ((const char *)sqlite3_column_text (stmt, 1)));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _xi_store_set_error (self, rc, error);
      return FALSE;
    }

  for (guint i = 0; i < run->dropped_indexes->len; i += 2)
    {
      g_autofree char *drop = g_strdup_printf ("DROP INDEX \"%s\"",
                                               (const char *)run->dropped_indexes->pdata[i]);

      if (!_xi_store_exec (self, drop, error))
        return FALSE;
    }
  return TRUE;
}

/*
 * A large import pauses the triggers that run for every inserted contact
 * and membership: XiStore::changed's (the rows are named from C instead),
 * the sort key's (the import writes it), the custom fields' count
 * (contact_fields_insert, migration 13; the import counts in C) and the
 * search index's note of the new contact (contacts_search_insert,
 * migration 9). New contacts get rowids past the largest one there was,
 * so at the end one statement notes that range for the search index.
 * The triggers go with _xi_store_drop_trigger () and are put back
 * exactly as they were stored, in the import's transaction: a rollback
 * or a crash leaves the schema as it was, and no other connection sees
 * it without them.
 */
static gboolean
import_pause_triggers (ImportRun  *run,
                       guint       n_rows,
                       GError    **error)
{
  XiStore *self = run->store;
  sqlite3_stmt *stmt;
  int rc;

  stmt = _xi_store_prepare (self, "SELECT coalesce (max (rowid), 0) FROM contacts", error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    run->last_rowid = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    {
      _xi_store_set_error (self, rc, error);
      return FALSE;
    }
  /* At the largest rowid SQLite picks new ones at random, below it. */
  if (run->last_rowid >= G_MAXINT64 - G_MAXUINT32)
    return TRUE;
  if (!_xi_store_drop_trigger (self, "contacts_search_insert", &run->search_trigger, error))
    return FALSE;
  if (run->search_trigger == NULL)
    return TRUE;

  if (!_xi_store_exec (self, "DROP TRIGGER temp.xi_contacts_sort_key_insert", error) ||
      !_xi_store_changes_pause_inserts (self, "contacts", error) ||
      !_xi_store_changes_pause_inserts (self, "group_members", error) ||
      !_xi_store_drop_trigger (self, "contact_fields_insert", &run->fields_trigger, error) ||
      !drop_deferred_indexes (run, n_rows, error))
    return FALSE;
  run->field_counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  run->bulk = TRUE;
  run->members_at_end = run->target_group != NULL;
  return TRUE;
}

/*
 * The contacts a large import created join its group here, in the order
 * of their ids, which is the order of the memberships' key: the group's
 * part of the membership table grows in one place, where adding each
 * batch's memberships as it went touched nearly every page of it once
 * per batch, a million contacts overflowing the page cache many times
 * over (at a million rows, 24 s of CPU for the rows that way, 12 s with
 * the memberships here). Contacts that were there before (merged or
 * revived) joined with their batch. A contact the file lists twice
 * joined with the second row already, and the insert leaves it as it
 * is. It runs before the insert triggers are back and names what it adds
 * itself, as the batches do.
 *
 * When most contacts are new, the primary key's index is read whole, in
 * the order wanted, and nothing is sorted; otherwise the new ones are
 * read by rowid and sorted (the unary plus picks the plan).
 */
#define NEW_CONTACTS_MOSTLY " FROM contacts WHERE +rowid > ?1 ORDER BY id"
#define NEW_CONTACTS_FEW    " FROM contacts WHERE rowid > ?1 ORDER BY +id"

/*
 * One insert per contact as the ids are read, where the membership
 * table has an insert trigger (sync's, in an account): SQLite first
 * copies the whole SELECT of an INSERT … SELECT into a temporary table
 * when the table written has one, and at a million contacts that copy
 * took 130 MB.
 */
static gboolean
join_one_by_one (ImportRun  *run,
                 GError    **error)
{
  XiStore *self = run->store;
  sqlite3_stmt *stmt;
  int rc;

  /* Not one of the store's cached statements, which the inserts below
   * use while it is still reading. */
  rc = sqlite3_prepare_v2 (self->db,
                           run->last_rowid < run->report->imported
                           ? "SELECT id" NEW_CONTACTS_MOSTLY : "SELECT id" NEW_CONTACTS_FEW,
                           -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      _xi_store_set_error (self, rc, error);
      return FALSE;
    }
  sqlite3_bind_int64 (stmt, 1, run->last_rowid);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    if (!_xi_store_add_member (self, run->target_group, (const char *)sqlite3_column_text (stmt, 0),
                               run->now, NULL, error))
      {
        sqlite3_finalize (stmt);
        return FALSE;
      }
  if (rc != SQLITE_DONE)
    _xi_store_set_error (self, rc, error);
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE;
}

/*
 * Without an insert trigger on the membership table (signed out; the
 * change trigger is paused), one INSERT … SELECT streams the new
 * contacts' memberships, their ids derived in SQL: a statement per
 * contact took half as long again at 100,000 contacts and twice as long
 * at a million (bench-import). More memberships than
 * XiStore::changed lists are announced as the whole table, as one by
 * one; fewer are read back by the time this transaction wrote them.
 */
static gboolean
join_in_one_statement (ImportRun  *run,
                       GError    **error)
{
  XiStore *self = run->store;
  sqlite3_stmt *stmt;
  gint64 added;
  int rc;

#define JOIN_INSERT \
  "INSERT INTO group_members (id, master_user_id, created_at, updated_at, group_id, contact_id)" \
  " SELECT xi_member_id (?4, id), ?2, ?3, ?3, ?4, id"
  stmt = _xi_store_prepare (self,
                            run->last_rowid < run->report->imported
                            ? JOIN_INSERT NEW_CONTACTS_MOSTLY XI_STORE_MEMBER_REVIVE
                            : JOIN_INSERT NEW_CONTACTS_FEW XI_STORE_MEMBER_REVIVE,
                            error);
#undef JOIN_INSERT
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, run->last_rowid);
  _xi_store_bind_text_static (stmt, 2, self->master_user_id);
  _xi_store_bind_text_static (stmt, 3, run->now);
  _xi_store_bind_text_static (stmt, 4, run->target_group);
  if (!_xi_store_step_done (self, stmt, error))
    return FALSE;

  added = sqlite3_changes64 (self->db);
  if (added == 0 || _xi_store_changes_note_many (self, "group_members", added))
    return TRUE;

  stmt = _xi_store_prepare (self,
                            "SELECT m.id FROM contacts c JOIN group_members m"
                            " ON m.group_id = ?2 AND m.contact_id = c.id"
                            " WHERE c.rowid > ?1 AND m.updated_at = ?3",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, run->last_rowid);
  _xi_store_bind_text_static (stmt, 2, run->target_group);
  _xi_store_bind_text_static (stmt, 3, run->now);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    _xi_store_changes_note (self, "group_members", (const char *)sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _xi_store_set_error (self, rc, error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
add_new_contacts_to_group (ImportRun  *run,
                           GError    **error)
{
  if (!run->members_at_end)
    return TRUE;
  if (_xi_store_sync_enabled (run->store))
    return join_one_by_one (run, error);
  return join_in_one_statement (run, error);
}

/* The store thread's processor time, for the phases of a large import
 * that the debug log times. */
static double
thread_cpu_seconds (void)
{
  struct timespec now;

  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &now) != 0)
    return 0;
  return now.tv_sec + now.tv_nsec / 1e9;
}

static gboolean
import_resume_triggers (ImportRun  *run,
                        GError    **error)
{
  XiStore *self = run->store;
  sqlite3_stmt *stmt;
  double start = thread_cpu_seconds ();
  double noted, joined;

  if (!run->bulk)
    return TRUE;

  stmt = _xi_store_prepare (self,
                            "INSERT INTO contacts_search_stale (contact_rowid)"
                            " SELECT rowid FROM contacts WHERE rowid > ?1 ON CONFLICT DO NOTHING",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, run->last_rowid);
  /* What is left reads and writes in key order, and building an index
   * sorts its keys in memory: the bulk cache is given back first. */
  _xi_store_shrink_cache (self);
  if (!_xi_store_step_done (self, stmt, error))
    return FALSE;
  noted = thread_cpu_seconds ();
  if (!add_new_contacts_to_group (run, error))
    return FALSE;
  joined = thread_cpu_seconds ();
  if (!_xi_store_exec (self, run->search_trigger, error) ||
      !_xi_store_exec (self, SORT_KEY_INSERT_TRIGGER, error) ||
      !_xi_store_changes_resume_inserts (self, "contacts", error) ||
      !_xi_store_changes_resume_inserts (self, "group_members", error) ||
      !_xi_store_fields_resume (self, run->fields_trigger, run->field_counts, error))
    return FALSE;
  for (guint i = 0; run->dropped_indexes != NULL && i < run->dropped_indexes->len; i += 2)
    if (!_xi_store_exec (self, run->dropped_indexes->pdata[i + 1], error))
      return FALSE;
  g_debug ("Import of about %" G_GUINT64_FORMAT " rows: rows read and written in %.2f s,"
           " noted for search in %.2f s, new contacts joined the group in %.2f s,"
           " %u indexes built in %.2f s", run->expected_rows, start - run->started,
           noted - start, joined - noted,
           run->dropped_indexes != NULL ? run->dropped_indexes->len / 2 : 0,
           thread_cpu_seconds () - joined);
  run->bulk = FALSE;
  return TRUE;
}

/* Writes the rows @batch holds now, in key order, and their group
 * memberships, for the #ImportRun @user_data; an #XiImportRowsFunc. */
static gboolean
import_rows (XiImportBatch  *batch,
             gpointer        user_data,
             GError        **error)
{
  ImportRun *run = user_data;
  XiStore *self = run->store;
  g_autoptr(GArray) memberships = g_array_new (FALSE, FALSE, sizeof (Membership));
  g_autoptr(GArray) pending = rows_in_key_order (self, batch);
  g_autofree gsize *field_counts = g_new0 (gsize, g_strv_length (batch->custom_field_names) + 1);

  g_array_set_clear_func (memberships, membership_clear);
  /* A streamed file's rows were counted, as its lines, before the first
   * of them came: the size of the whole import is known from here on. */
  if (run->expected_rows == 0)
    run->expected_rows = MAX (batch->max_records, batch->rows->len);
  if (!run->bulk && pending->len >= BULK_ROWS && !import_pause_triggers (run, pending->len, error))
    return FALSE;
  for (guint i = 0; i < pending->len; i++)
    {
      Pending *p = &g_array_index (pending, Pending, i);
      XiImportRow *row = p->row;
      g_autofree char *contact_id = NULL;
      gboolean member;
      guint imported;

      if (i % IMPORT_CHUNK == 0)
        {
          if (g_cancellable_set_error_if_cancelled (run->cancellable, error))
            return FALSE;
          xi_progress_relay_report (run->progress, (double)i / pending->len);
        }

      imported = run->report->imported;
      if (!import_row (run, batch, row, p->id, &contact_id, &member, error))
        return FALSE;

      /* With the insert trigger paused, a new contact's fields are
       * counted here. */
      if (run->bulk && run->report->imported > imported)
        for (guint f = 0; batch->custom_field_names[f] != NULL; f++)
          field_counts[f] += row->custom_values[f] != NULL;

      if (run->target_group != NULL && !member &&
          !(run->members_at_end && run->report->imported > imported))
        {
          Membership m = { run->target_group, g_strdup (contact_id) };
          g_array_append_val (memberships, m);
        }

      for (guint g = 0; row->groups[g] != NULL; g++)
        {
          Membership m = { NULL, NULL };

          if (!_xi_store_ensure_group (self, row->groups[g], run->groups, &m.group_id, error))
            return FALSE;
          m.contact_id = g_strdup (contact_id);
          g_array_append_val (memberships, m);
        }
    }

  if (run->bulk)
    _xi_store_fields_count (run->field_counts, (const char * const *)batch->custom_field_names,
                            field_counts);
  return add_memberships (self, memberships, run->now, error);
}

static void
import_contacts_func (XiStore  *self,
                      GTask    *task,
                      gpointer  data)
{
  ImportOp *op = data;
  g_autoptr(XiImportReport) report = g_new0 (XiImportReport, 1);
  g_autoptr(GHashTable) groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) phone_index = NULL;
  g_autoptr(XiImportBatch) streamed = NULL;
  XiImportBatch *read;
  g_autofree char *now = _xi_store_now ();
  g_autofree char *summary = NULL;
  ImportRun run = {
    .store = self,
    .report = report,
    .groups = groups,
    .now = now,
    .cancellable = g_task_get_cancellable (task),
    .started = thread_cpu_seconds (),
    .json = g_string_sized_new (256),
  };
  GError *error = NULL;

  if (!_xi_store_begin (self, &error))
    goto failed;

  if (op->group_name != NULL &&
      !_xi_store_ensure_group (self, op->group_name, groups, &run.target_group, &error))
    goto failed;

  if (op->batch != NULL)
    {
      run.expected_rows = op->batch->rows->len;
      /* A batch is in memory already; so are its contacts' numbers. */
      if ((phone_index = load_phone_index (self, &error)) == NULL)
        goto failed;
      run.phone_index = phone_index;
      run.progress = op->progress;
      if (!import_rows (op->batch, &run, &error))
        goto failed;
      read = op->batch;
    }
  else
    {
      streamed = _xi_import_read_file_streaming (op->file, op->contents, op->country, op->options,
                                                 import_rows, &run, run.cancellable, op->progress,
                                                 &error);
      if (streamed == NULL)
        goto failed;
      read = streamed;
    }
  if (!import_resume_triggers (&run, &error))
    goto failed;

  report->issues = g_ptr_array_ref (read->issues);
  report->skipped = report->issues->len;
  report->format = read->format;
  report->delimiter = read->delimiter;
  report->custom_field_names = g_strdupv (read->custom_field_names);

  /* A preview runs the very import, so its counts are the import's, and
   * takes it back: nothing was written when the transaction ends. */
  if (op->dry_run)
    {
      _xi_store_rollback (self);
      import_run_clear (&run);
      g_task_return_pointer (task, g_steal_pointer (&report), (GDestroyNotify)xi_import_report_free);
      return;
    }

  summary = g_strdup_printf ("%u/%u/%u", report->imported, report->updated, report->skipped);
  if (!_xi_store_log_activity (self, "contacts.imported", summary, NULL, &error) ||
      !_xi_store_commit_deferring_checkpoint (self, &error))
    goto failed;

  import_run_clear (&run);
  /* Its new and changed rows wait for the search index, which catches up
   * in the background: indexing a million rows here would take 30 s. */
  self->search_index_behind = TRUE;
  xi_progress_relay_report (op->progress, 1.0);
  g_debug ("Imported %u, updated %u, skipped %u contacts",
           report->imported, report->updated, report->skipped);
  g_task_return_pointer (task, g_steal_pointer (&report), (GDestroyNotify)xi_import_report_free);
  return;

failed:
  _xi_store_rollback (self);
  import_run_clear (&run);
  g_task_return_error (task, error);
}

static void
push_import (XiStore               *self,
             XiImportBatch         *batch,
             GFile                 *file,
             GBytes                *contents,
             const XiImportOptions *options,
             const char            *country,
             const char            *group_name,
             gboolean               dry_run,
             XiStoreProgressFunc    progress,
             gpointer               progress_data,
             GDestroyNotify         progress_destroy,
             gpointer               source_tag,
             GCancellable          *cancellable,
             GAsyncReadyCallback    callback,
             gpointer               user_data)
{
  ImportOp *op = g_new0 (ImportOp, 1);

  op->batch = batch;
  op->file = file != NULL ? g_object_ref (file) : NULL;
  op->contents = contents != NULL ? g_bytes_ref (contents) : NULL;
  op->options = xi_import_options_copy (options);
  if (op->options != NULL)
    {
      /* The store imports every row, and a file without a phone column
       * is an error it reports rather than an empty import. */
      op->options->sample_only = FALSE;
      op->options->keep_without_phone = FALSE;
    }
  op->country = g_strdup (country);
  op->group_name = g_strstrip (g_strdup (group_name != NULL ? group_name : ""));
  if (op->group_name[0] == '\0')
    g_clear_pointer (&op->group_name, g_free);
  op->progress = xi_progress_relay_new (progress, progress_data, progress_destroy);
  op->dry_run = dry_run;

  _xi_store_push_bulk (self, import_contacts_func, op, import_op_free,
                       source_tag, cancellable, callback, user_data);
}

/**
 * xi_store_import_contacts_async:
 * @self: a #XiStore
 * @batch: (transfer full): the rows read by xi_import_read_file_async()
 * @group_name: (nullable): a group to put every imported contact in;
 *   created when missing
 * @progress: (nullable): called on the caller's main context, coalesced
 * @progress_data: closure for @progress
 * @progress_destroy: (nullable): frees @progress_data
 * @cancellable: (nullable): cancels the whole import (nothing is written)
 * @callback: called with the report
 * @user_data: closure
 *
 * Writes a batch in one transaction. A number that is already a contact
 * updates that contact instead of creating a second one.
 */
void
xi_store_import_contacts_async (XiStore             *self,
                                XiImportBatch       *batch,
                                const char          *group_name,
                                XiStoreProgressFunc  progress,
                                gpointer             progress_data,
                                GDestroyNotify       progress_destroy,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (batch != NULL);

  push_import (self, batch, NULL, NULL, NULL, NULL, group_name, FALSE, progress, progress_data,
               progress_destroy, xi_store_import_contacts_async, cancellable, callback, user_data);
}

/**
 * xi_store_import_file_async:
 * @self: a #XiStore
 * @file: a contacts file, in any format xi_import_read_file_async() reads
 * @default_country_code: (nullable): calling code for numbers in
 *   national form, such as "62"
 * @group_name: (nullable): as for xi_store_import_contacts_async()
 * @progress: (nullable): the fraction of the file read and written, on
 *   the caller's main context, coalesced
 * @progress_data: closure for @progress
 * @progress_destroy: (nullable): frees @progress_data
 * @cancellable: (nullable): cancels the whole import (nothing is written)
 * @callback: called with the report
 * @user_data: closure
 *
 * Reads @file and writes its contacts as it reads, in one transaction,
 * with the results of xi_store_import_contacts_async() on the batch the
 * file reads to: the same merges, the same refused rows with their
 * lines. Only tens of thousands of rows are in memory at a time, so a
 * file of a million contacts takes little more memory than its text.
 */
void
xi_store_import_file_async (XiStore             *self,
                            GFile               *file,
                            const char          *default_country_code,
                            const char          *group_name,
                            XiStoreProgressFunc  progress,
                            gpointer             progress_data,
                            GDestroyNotify       progress_destroy,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (G_IS_FILE (file));

  push_import (self, NULL, file, NULL, NULL, default_country_code, group_name, FALSE, progress,
               progress_data, progress_destroy, xi_store_import_file_async, cancellable, callback,
               user_data);
}

/**
 * xi_store_import_file_full_async:
 * @self: a #XiStore
 * @file: a contacts file, in any format xi_import_read_file_async() reads
 * @contents: (nullable): the contents of @file, read once already with
 *   xi_import_load_file_async() for a preview; %NULL reads @file
 * @default_country_code: (nullable): as for xi_store_import_file_async()
 * @options: (nullable): the separator, encoding, header and column roles
 *   chosen in a preview, as for xi_import_read_bytes_full(); %NULL guesses
 *   them. Its sample_only and keep_without_phone are not used: every row
 *   is imported, and a file without a phone column fails.
 * @group_name: (nullable): as for xi_store_import_contacts_async()
 * @progress: (nullable): as for xi_store_import_file_async()
 * @progress_data: closure for @progress
 * @progress_destroy: (nullable): frees @progress_data
 * @cancellable: (nullable): cancels the whole import (nothing is written)
 * @callback: called with the report
 * @user_data: closure
 *
 * As xi_store_import_file_async(), read the way @options says, from
 * @contents when given; finish it with xi_store_import_file_finish().
 */
void
xi_store_import_file_full_async (XiStore               *self,
                                 GFile                 *file,
                                 GBytes                *contents,
                                 const char            *default_country_code,
                                 const XiImportOptions *options,
                                 const char            *group_name,
                                 XiStoreProgressFunc    progress,
                                 gpointer               progress_data,
                                 GDestroyNotify         progress_destroy,
                                 GCancellable          *cancellable,
                                 GAsyncReadyCallback    callback,
                                 gpointer               user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (G_IS_FILE (file));

  push_import (self, NULL, file, contents, options, default_country_code, group_name, FALSE,
               progress, progress_data, progress_destroy, xi_store_import_file_async,
               cancellable, callback, user_data);
}

/**
 * xi_store_preview_import_file_async:
 * @self: a #XiStore
 * @file: a contacts file
 * @contents: (nullable): as for xi_store_import_file_full_async()
 * @default_country_code: (nullable): as for xi_store_import_file_async()
 * @options: (nullable): as for xi_store_import_file_full_async()
 * @group_name: (nullable): as for xi_store_import_contacts_async()
 * @progress: (nullable): the fraction counted, on the caller's main
 *   context, coalesced
 * @progress_data: closure for @progress
 * @progress_destroy: (nullable): frees @progress_data
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the report
 * @user_data: closure
 *
 * Counts what xi_store_import_file_full_async() would import, update and
 * refuse, reading the file as that import does, a bounded number of rows
 * at a time, and writing nothing: the import runs and is rolled back.
 * Finish it with xi_store_preview_import_finish().
 */
void
xi_store_preview_import_file_async (XiStore               *self,
                                    GFile                 *file,
                                    GBytes                *contents,
                                    const char            *default_country_code,
                                    const XiImportOptions *options,
                                    const char            *group_name,
                                    XiStoreProgressFunc    progress,
                                    gpointer               progress_data,
                                    GDestroyNotify         progress_destroy,
                                    GCancellable          *cancellable,
                                    GAsyncReadyCallback    callback,
                                    gpointer               user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (G_IS_FILE (file));

  push_import (self, NULL, file, contents, options, default_country_code, group_name, TRUE,
               progress, progress_data, progress_destroy, xi_store_preview_import_async,
               cancellable, callback, user_data);
}

/**
 * xi_store_import_file_finish:
 *
 * Returns: (transfer full): what was imported, updated and skipped
 */
XiImportReport *
xi_store_import_file_finish (XiStore       *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * xi_store_preview_import_async:
 * @self: a #XiStore
 * @batch: (transfer full): the rows read by xi_import_read_file_async()
 * @group_name: (nullable): as for xi_store_import_contacts_async()
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the report
 * @user_data: closure
 *
 * Counts what xi_store_import_contacts_async() would import, update and
 * refuse, without writing anything: the import runs and is rolled back.
 */
void
xi_store_preview_import_async (XiStore             *self,
                               XiImportBatch       *batch,
                               const char          *group_name,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (batch != NULL);

  push_import (self, batch, NULL, NULL, NULL, NULL, group_name, TRUE, NULL, NULL, NULL,
               xi_store_preview_import_async, cancellable, callback, user_data);
}

/**
 * xi_store_preview_import_finish:
 *
 * Returns: (transfer full): what the import would do
 */
XiImportReport *
xi_store_preview_import_finish (XiStore       *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * xi_store_import_contacts_finish:
 *
 * Returns: (transfer full): what was imported, updated and skipped
 */
XiImportReport *
xi_store_import_contacts_finish (XiStore       *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Export */

typedef struct
{
  GFile  *file;
  char  **ids;
} ExportOp;

static void
export_op_free (gpointer data)
{
  ExportOp *op = data;

  g_clear_object (&op->file);
  g_strfreev (op->ids);
  g_free (op);
}

static gpointer
text_from_row (sqlite3_stmt *stmt)
{
  return g_strdup ((const char *)sqlite3_column_text (stmt, 0));
}

static GPtrArray *
collect_custom_fields (XiStore  *self,
                       GError  **error)
{
  return _xi_store_query_rows (self,
                               "SELECT name FROM contact_fields WHERE master_user_id = ?1"
                               " AND contacts > 0 ORDER BY name",
                               text_from_row, g_free, error);
}

/* The names of the groups of @contact, as the export writes them. */
static char *
group_names_of (XiContact  *contact,
                GHashTable *group_names)
{
  const char * const *group_ids = xi_contact_get_group_ids (contact);
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  g_auto(GStrv) list = NULL;

  for (guint g = 0; group_ids[g] != NULL; g++)
    {
      const char *name = g_hash_table_lookup (group_names, group_ids[g]);

      if (name != NULL)
        g_strv_builder_add (names, name);
    }
  list = g_strv_builder_end (names);
  return g_strjoinv (", ", list);
}

static void
export_contacts_func (XiStore  *self,
                      GTask    *task,
                      gpointer  data)
{
  ExportOp *op = data;
  g_autoptr(GPtrArray) custom_names = NULL;
  g_autoptr(GHashTable) group_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GHashTable) wanted = NULL;
  GError *error = NULL;
  sqlite3_stmt *stmt;
  guint count = 0;
  int rc;

  if (op->ids != NULL)
    {
      wanted = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint i = 0; op->ids[i] != NULL; i++)
        g_hash_table_add (wanted, op->ids[i]);
    }

  if ((custom_names = collect_custom_fields (self, &error)) == NULL)
    goto failed;

  stmt = _xi_store_prepare (self,
                            "SELECT id, name FROM groups WHERE master_user_id = ?1 AND deleted = 0",
                            &error);
  if (stmt == NULL)
    goto failed;
  _xi_store_bind_text (stmt, 1, self->master_user_id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_hash_table_insert (group_names,
                         g_strdup ((const char *)sqlite3_column_text (stmt, 0)),
                         g_strdup ((const char *)sqlite3_column_text (stmt, 1)));
  sqlite3_reset (stmt);

  g_ptr_array_add (custom_names, NULL);
  xi_csv_append_contacts_header (out, (const char * const *)custom_names->pdata);

  stmt = _xi_store_prepare (self,
                            "SELECT " CONTACT_COLUMNS " FROM contacts c"
                            " WHERE c.master_user_id = ?1 AND c.deleted = 0"
                            " ORDER BY c.sort_key, c.phone",
                            &error);
  if (stmt == NULL)
    goto failed;
  _xi_store_bind_text (stmt, 1, self->master_user_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(XiContact) contact = contact_from_row (stmt);
      g_autofree char *groups = NULL;

      if (wanted != NULL && !g_hash_table_contains (wanted, xi_contact_get_id (contact)))
        continue;

      groups = group_names_of (contact, group_names);
      xi_csv_append_contact (out, contact, groups, (const char * const *)custom_names->pdata);
      count++;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _xi_store_set_error (self, rc, &error);
      goto failed;
    }

  /* Customer names and numbers: readable by the user only, also when
   * an older, looser file is replaced. */
  bytes = g_bytes_new_static (out->str, out->len);
  if (!xi_csv_save (op->file, bytes, &error))
    goto failed;

  g_task_return_int (task, count);
  return;

failed:
  g_task_return_error (task, error);
}

/**
 * xi_store_export_contacts_async:
 * @self: a #XiStore
 * @file: where to write the CSV file
 * @ids: (nullable): only these contacts; %NULL for all
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Writes contacts as UTF-8 CSV with a header, numbers in international
 * form (which spreadsheets keep as text), groups by name and one column
 * per custom field. The file can be imported again.
 */
void
xi_store_export_contacts_async (XiStore             *self,
                                GFile               *file,
                                const char * const  *ids,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  ExportOp *op;

  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (G_IS_FILE (file));

  op = g_new0 (ExportOp, 1);
  op->file = g_object_ref (file);
  op->ids = g_strdupv ((char **)ids);

  _xi_store_push (self, export_contacts_func, op, export_op_free,
                  xi_store_export_contacts_async, cancellable, callback, user_data);
}

/**
 * xi_store_export_contacts_finish:
 *
 * Returns: how many contacts were written
 */
guint
xi_store_export_contacts_finish (XiStore       *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  gssize count;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);

  count = g_task_propagate_int (G_TASK (result), error);
  return count > 0 ? (guint)count : 0;
}

static void
list_custom_fields_func (XiStore  *self,
                         GTask    *task,
                         gpointer  data)
{
  g_autoptr(GPtrArray) names = NULL;
  GError *error = NULL;

  if ((names = collect_custom_fields (self, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_ptr_array_add (names, NULL);
  g_task_return_pointer (task, g_ptr_array_free (g_steal_pointer (&names), FALSE),
                         (GDestroyNotify)g_strfreev);
}

/**
 * xi_store_list_custom_fields_async:
 * @self: a #XiStore
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Lists the custom field names that any live contact has; these are the
 * variables a template may use besides the built-in ones.
 */
void
xi_store_list_custom_fields_async (XiStore             *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));

  _xi_store_push_read (self, list_custom_fields_func, NULL, NULL, xi_store_list_custom_fields_async,
                       cancellable, callback, user_data);
}

/**
 * xi_store_list_custom_fields_finish:
 *
 * Returns: (transfer full): sorted field names
 */
char **
xi_store_list_custom_fields_finish (XiStore       *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Duplicates by name */

static int
compare_keys (gconstpointer a,
              gconstpointer b)
{
  return g_strcmp0 (*(const char * const *)a, *(const char * const *)b);
}

static char *
pair_key (const char *a,
          const char *b)
{
  return strcmp (a, b) < 0 ? g_strconcat (a, " ", b, NULL) : g_strconcat (b, " ", a, NULL);
}

/* The pairs the user kept apart, as "first second". */
static GHashTable *
load_distinct_pairs (XiStore  *self,
                     GError  **error)
{
  g_autoptr(GHashTable) pairs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  sqlite3_stmt *stmt;
  int rc;

  stmt = _xi_store_prepare (self,
                            "SELECT first_id, second_id FROM distinct_contacts WHERE master_user_id = ?1",
                            error);
  if (stmt == NULL)
    return NULL;
  _xi_store_bind_text (stmt, 1, self->master_user_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_add (pairs, pair_key ((const char *)sqlite3_column_text (stmt, 0),
                                       (const char *)sqlite3_column_text (stmt, 1)));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _xi_store_set_error (self, rc, error);
      return NULL;
    }
  return g_steal_pointer (&pairs);
}

/* Leaves in @ids only contacts that some other one of @ids may be: a
 * contact kept apart from every other is no longer a candidate. */
static void
drop_distinct (GPtrArray  *ids,
               GHashTable *distinct)
{
  for (guint i = 0; i < ids->len;)
    {
      gboolean alone = TRUE;

      for (guint j = 0; j < ids->len && alone; j++)
        {
          g_autofree char *key = NULL;

          if (i == j)
            continue;
          key = pair_key (g_ptr_array_index (ids, i), g_ptr_array_index (ids, j));
          alone = g_hash_table_contains (distinct, key);
        }
      if (alone)
        g_ptr_array_remove_index (ids, i);
      else
        i++;
    }
}

static void
find_duplicates_func (XiStore  *self,
                      GTask    *task,
                      gpointer  data)
{
  g_autoptr(GHashTable) by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                        (GDestroyNotify)g_ptr_array_unref);
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();
  g_autoptr(GPtrArray) clusters = g_ptr_array_new_with_free_func ((GDestroyNotify)g_ptr_array_unref);
  g_autoptr(GHashTable) distinct = NULL;
  GHashTableIter iter;
  gpointer key, value;
  GError *error = NULL;
  sqlite3_stmt *stmt;
  int rc;

  stmt = _xi_store_prepare (self,
                            "SELECT id, name FROM contacts"
                            " WHERE master_user_id = ?1 AND deleted = 0 AND name != ''"
                            " ORDER BY created_at, id",
                            &error);
  if (stmt == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  _xi_store_bind_text (stmt, 1, self->master_user_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      char *name_key = xi_template_name_key ((const char *)sqlite3_column_text (stmt, 1));
      GPtrArray *ids;

      if (name_key == NULL)
        continue;
      ids = g_hash_table_lookup (by_key, name_key);
      if (ids == NULL)
        {
          ids = g_ptr_array_new_with_free_func (g_free);
          g_hash_table_insert (by_key, name_key, ids);
        }
      else
        g_free (name_key);
      g_ptr_array_add (ids, g_strdup ((const char *)sqlite3_column_text (stmt, 0)));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _xi_store_set_error (self, rc, &error);
      g_task_return_error (task, error);
      return;
    }

  if ((distinct = load_distinct_pairs (self, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_hash_table_iter_init (&iter, by_key);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      drop_distinct (value, distinct);
      if (((GPtrArray *)value)->len > 1)
        g_ptr_array_add (keys, key);
    }
  g_ptr_array_sort (keys, compare_keys);

  for (guint k = 0; k < keys->len; k++)
    {
      GPtrArray *ids = g_hash_table_lookup (by_key, g_ptr_array_index (keys, k));
      GPtrArray *cluster = g_ptr_array_new_with_free_func (g_object_unref);

      for (guint i = 0; i < ids->len; i++)
        {
          XiContact *contact = load_contact (self, g_ptr_array_index (ids, i), &error);

          if (contact == NULL)
            {
              g_ptr_array_unref (cluster);
              g_task_return_error (task, error);
              return;
            }
          g_ptr_array_add (cluster, contact);
        }
      g_ptr_array_add (clusters, cluster);
    }

  g_task_return_pointer (task, g_steal_pointer (&clusters), (GDestroyNotify)g_ptr_array_unref);
}

/**
 * xi_store_find_duplicates_async:
 * @self: a #XiStore
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Finds contacts that are likely one person with two numbers: the same
 * name once titles, case and spacing are set aside (xi_template_name_key()).
 * The same number is never two contacts, so these always differ in it.
 */
void
xi_store_find_duplicates_async (XiStore             *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));

  _xi_store_push_read (self, find_duplicates_func, NULL, NULL,
                       xi_store_find_duplicates_async, cancellable, callback, user_data);
}

/**
 * xi_store_find_duplicates_finish:
 *
 * Returns: (transfer full) (element-type GPtrArray): the clusters, each a
 *   #GPtrArray of two or more #XiContact, oldest first; clusters sorted by
 *   name
 */
GPtrArray *
xi_store_find_duplicates_finish (XiStore       *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  char *keep_id;
  char *other_id;
  char *name;
} MergeOp;

static void
merge_op_free (gpointer data)
{
  MergeOp *op = data;

  g_free (op->keep_id);
  g_free (op->other_id);
  g_free (op->name);
  g_free (op);
}

static void
keep_both_func (XiStore  *self,
                GTask    *task,
                gpointer  data)
{
  MergeOp *op = data;
  g_autofree char *now = _xi_store_now ();
  gboolean smaller = strcmp (op->keep_id, op->other_id) < 0;
  GError *error = NULL;
  sqlite3_stmt *stmt;

  if (g_strcmp0 (op->keep_id, op->other_id) == 0)
    {
      g_task_return_new_error (task, XI_STORE_ERROR, XI_STORE_ERROR_INVALID,
                               _("A contact cannot be merged with itself."));
      return;
    }

  stmt = _xi_store_prepare (self,
                            "INSERT INTO distinct_contacts (master_user_id, first_id, second_id,"
                            " created_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
                            &error);
  if (stmt == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  _xi_store_bind_text (stmt, 1, self->master_user_id);
  _xi_store_bind_text (stmt, 2, smaller ? op->keep_id : op->other_id);
  _xi_store_bind_text (stmt, 3, smaller ? op->other_id : op->keep_id);
  _xi_store_bind_text (stmt, 4, now);
  if (!_xi_store_step_done (self, stmt, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/**
 * xi_store_keep_both_async:
 * @self: a #XiStore
 * @first_id: a contact
 * @second_id: another contact with a name like @first_id's
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Remembers that two contacts are two people, so that
 * xi_store_find_duplicates_async() no longer pairs them.
 */
void
xi_store_keep_both_async (XiStore             *self,
                          const char          *first_id,
                          const char          *second_id,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  MergeOp *op;

  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (first_id != NULL);
  g_return_if_fail (second_id != NULL);

  op = g_new0 (MergeOp, 1);
  op->keep_id = g_strdup (first_id);
  op->other_id = g_strdup (second_id);
  _xi_store_push (self, keep_both_func, op, merge_op_free,
                  xi_store_keep_both_async, cancellable, callback, user_data);
}

/**
 * xi_store_keep_both_finish:
 *
 * Returns: %TRUE once remembered
 */
gboolean
xi_store_keep_both_finish (XiStore       *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* @keep with what it lacks from @other: tags, groups and custom fields
 * joined, both notes kept, and opted out when either is. Two contacts
 * within the limits can pass them together; @keep's own come first and
 * @other's fill up to them, so that the merged contact can be saved. */
static void
combine_contacts (XiContact  *keep,
                  XiContact  *other,
                  const char *name)
{
  g_autoptr(GStrvBuilder) tags = g_strv_builder_new ();
  g_auto(GStrv) fields = xi_contact_dup_custom_field_names (other);
  const char * const *keep_tags = xi_contact_get_tags (keep);
  const char * const *other_tags = xi_contact_get_tags (other);
  const char * const *groups = xi_contact_get_group_ids (other);
  const char *keep_notes = xi_contact_get_notes (keep);
  const char *other_notes = xi_contact_get_notes (other);
  g_auto(GStrv) joined = NULL;
  g_auto(GStrv) kept_fields = xi_contact_dup_custom_field_names (keep);
  guint n_fields = g_strv_length (kept_fields);
  guint n_tags;

  if (name != NULL)
    xi_contact_set_name (keep, name);

  for (guint i = 0; keep_tags != NULL && keep_tags[i] != NULL; i++)
    g_strv_builder_add (tags, keep_tags[i]);
  n_tags = keep_tags != NULL ? g_strv_length ((char **)keep_tags) : 0;
  for (guint i = 0; other_tags != NULL && other_tags[i] != NULL && n_tags < XI_LIMIT_TAGS; i++)
    if (keep_tags == NULL || !g_strv_contains (keep_tags, other_tags[i]))
      {
        g_strv_builder_add (tags, other_tags[i]);
        n_tags++;
      }
  joined = g_strv_builder_end (tags);
  xi_contact_set_tags (keep, (const char * const *)joined);

  for (guint i = 0; groups != NULL && groups[i] != NULL; i++)
    if (!xi_contact_is_in_group (keep, groups[i]))
      xi_contact_add_group_id (keep, groups[i]);

  for (guint i = 0; fields[i] != NULL && n_fields < XI_LIMIT_FIELDS; i++)
    if (xi_contact_get_custom_field (keep, fields[i]) == NULL)
      {
        xi_contact_set_custom_field (keep, fields[i], xi_contact_get_custom_field (other, fields[i]));
        n_fields++;
      }

  if (other_notes != NULL && other_notes[0] != '\0' && g_strcmp0 (keep_notes, other_notes) != 0)
    {
      g_autofree char *notes = keep_notes != NULL && keep_notes[0] != '\0'
                               ? g_strconcat (keep_notes, "\n\n", other_notes, NULL)
                               : g_strdup (other_notes);
      g_autofree char *fitted = xi_limit_cut_text (notes, XI_LIMIT_NOTES_CHARS);

      xi_contact_set_notes (keep, fitted);
    }

  /* Whoever asked to stop, under either number, still does. */
  if (xi_contact_get_opted_out (other))
    xi_contact_set_opted_out (keep, TRUE);
}

/* Gives @to the rows of @table that were @from's. */
static gboolean
move_contact_rows (XiStore     *self,
                   const char  *table,
                   const char  *from,
                   const char  *to,
                   GError     **error)
{
  g_autofree char *sql = g_strdup_printf ("UPDATE %s SET contact_id = ?3"
                                          " WHERE contact_id = ?1 AND master_user_id = ?2",
                                          table);
  sqlite3_stmt *stmt = _xi_store_prepare (self, sql, error);

  if (stmt == NULL)
    return FALSE;
  _xi_store_bind_text (stmt, 1, from);
  _xi_store_bind_text (stmt, 2, self->master_user_id);
  _xi_store_bind_text (stmt, 3, to);
  return _xi_store_step_done (self, stmt, error);
}

static void
merge_contacts_func (XiStore  *self,
                     GTask    *task,
                     gpointer  data)
{
  MergeOp *op = data;
  g_autofree char *now = _xi_store_now ();
  g_autofree char *saved_id = NULL;
  g_autoptr(XiContact) keep = NULL;
  g_autoptr(XiContact) other = NULL;
  XiContact *merged = NULL;
  GError *error = NULL;
  gboolean deleted;

  if (g_strcmp0 (op->keep_id, op->other_id) == 0)
    {
      g_task_return_new_error (task, XI_STORE_ERROR, XI_STORE_ERROR_INVALID,
                               _("A contact cannot be merged with itself."));
      return;
    }

  if (!_xi_store_begin (self, &error) ||
      (keep = load_contact (self, op->keep_id, &error)) == NULL ||
      (other = load_contact (self, op->other_id, &error)) == NULL)
    goto failed;

  combine_contacts (keep, other, op->name);

  /* The other contact goes first: its memberships are deleted with it,
   * and the kept one takes them over through the usual save. */
  if (!delete_contact (self, op->other_id, now, &deleted, &error) ||
      !save_contact (self, keep, &saved_id, &error) ||
      !move_contact_rows (self, "history", op->other_id, saved_id, &error) ||
      !move_contact_rows (self, "incoming_messages", op->other_id, saved_id, &error) ||
      !_xi_store_log_activity (self, "contacts.merged", "1", NULL, &error) ||
      (merged = load_contact (self, saved_id, &error)) == NULL ||
      !_xi_store_commit (self, &error))
    goto failed;

  g_task_return_pointer (task, merged, g_object_unref);
  return;

failed:
  g_clear_object (&merged);
  _xi_store_rollback (self);
  g_task_return_error (task, error);
}

/**
 * xi_store_merge_contacts_async:
 * @self: a #XiStore
 * @keep_id: the contact that stays, with its number
 * @other_id: the contact merged into it, then deleted
 * @name: (nullable): the name to keep, or %NULL for @keep_id's
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Merges two contacts in one transaction, through the paths a save and a
 * delete take, so that sync carries both: @keep_id gets the tags, groups,
 * custom fields and notes it lacks, the history and incoming messages of
 * @other_id, and is opted out when either was. The number of @other_id
 * keeps its own opt-out history.
 */
void
xi_store_merge_contacts_async (XiStore             *self,
                               const char          *keep_id,
                               const char          *other_id,
                               const char          *name,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  MergeOp *op;

  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (keep_id != NULL);
  g_return_if_fail (other_id != NULL);

  op = g_new0 (MergeOp, 1);
  op->keep_id = g_strdup (keep_id);
  op->other_id = g_strdup (other_id);
  op->name = g_strdup (name);
  _xi_store_push (self, merge_contacts_func, op, merge_op_free,
                  xi_store_merge_contacts_async, cancellable, callback, user_data);
}

/**
 * xi_store_merge_contacts_finish:
 *
 * Returns: (transfer full): the kept contact as stored
 */
XiContact *
xi_store_merge_contacts_finish (XiStore       *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
