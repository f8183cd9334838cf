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

/*
 * Reading the fields a template uses, as a campaign walks its contacts.
 *
 * A field has a value for a contact when its custom_fields are valid
 * JSON and the field is a string there, as the filters and the contacts
 * list read it. Asking SQLite that (json_valid, json_type, json_extract)
 * for each field cost a third of reading a contact. Nearly every stored
 * object is flat, with plain strings for keys and values, so it is
 * scanned here; the scan answers only for text it can prove is such an
 * object (the JSON grammar's whitespace, strings with no escape or
 * control character, integers, true, false and null, each wanted name
 * at most once), where every JSON reader agrees on validity and on what
 * a name holds. Anything else (escapes, nesting, fractions, a name twice,
 * invalid JSON) goes to SQLite as before.
 */
struct _XiStoreFieldReader
{
  XiStore      *store;
  guint         n_names;
  char        **names;
  gsize        *name_lens;
  char        **paths;        /* each name as a JSON path, for SQLite */
  gssize       *starts;       /* each value's offset in buffer, or -1 */
  guint8       *seen;         /* whether the scan met each name */
  GString      *buffer;
  const char  **values;
};

/**
 * _xi_store_field_reader_new:
 * @self: a store, on its thread
 * @names: (array zero-terminated=1): custom field names: letters, digits and '_'
 *
 * Returns: (transfer full): a reader of @names
 */
XiStoreFieldReader *
_xi_store_field_reader_new (XiStore            *self,
                            const char * const *names)
{
  XiStoreFieldReader *reader = g_new0 (XiStoreFieldReader, 1);

  reader->store = self;
  reader->names = g_strdupv ((char **)names);
  reader->n_names = g_strv_length (reader->names);
  reader->name_lens = g_new (gsize, reader->n_names);
  reader->paths = g_new0 (char *, reader->n_names + 1);
  reader->starts = g_new (gssize, reader->n_names);
  reader->seen = g_new (guint8, reader->n_names);
  reader->values = g_new0 (const char *, reader->n_names + 1);
  reader->buffer = g_string_sized_new (256);
  for (guint i = 0; i < reader->n_names; i++)
    {
      reader->name_lens[i] = strlen (reader->names[i]);
      /* The names need no escaping inside the quotes. */
      reader->paths[i] = g_strdup_printf ("$.\"%s\"", reader->names[i]);
    }
  return reader;
}

void
_xi_store_field_reader_free (XiStoreFieldReader *reader)
{
  g_strfreev (reader->names);
  g_free (reader->name_lens);
  g_strfreev (reader->paths);
  g_free (reader->starts);
  g_free (reader->seen);
  g_free (reader->values);
  g_string_free (reader->buffer, TRUE);
  g_free (reader);
}

static const char *
skip_space (const char *p)
{
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
    p++;
  return p;
}

/* At the quote that opens a string: after its closing quote, with its
 * bytes in @start and @len, or NULL for a string the scan leaves to
 * SQLite (an escape, a control character, or the end of the text). */
static const char *
scan_plain_string (const char  *p,
                   const char **start,
                   gsize       *len)
{
  *start = ++p;
  for (; *p != '"'; p++)
    if ((guchar)*p < 0x20 || *p == '\\')
      return NULL;
  *len = p - *start;
  return p + 1;
}

/* After a value that is not a string and that the scan understands:
 * true, false, null or an integer with no superfluous zero. What follows
 * must end the member (scan_object () checks), so "01", "1.5" and "1e3"
 * go to SQLite. */
static const char *
scan_scalar (const char *p)
{
  if (strncmp (p, "true", 4) == 0 || strncmp (p, "null", 4) == 0)
    return p + 4;
  if (strncmp (p, "false", 5) == 0)
    return p + 5;

  if (*p == '-')
    p++;
  if (*p == '0')
    return p + 1;
  if (*p < '1' || *p > '9')
    return NULL;
  while (*p >= '0' && *p <= '9')
    p++;
  return p;
}

static gssize
find_name (XiStoreFieldReader *reader,
           const char         *key,
           gsize               len)
{
  for (guint i = 0; i < reader->n_names; i++)
    if (reader->name_lens[i] == len && memcmp (reader->names[i], key, len) == 0)
      return i;
  return -1;
}

/* Whether the scan could read @json; the values it found are then in
 * the buffer. */
static gboolean
scan_object (XiStoreFieldReader *reader,
             const char         *json)
{
  const char *p = skip_space (json);

  if (*p != '{')
    return FALSE;
  p = skip_space (p + 1);
  if (*p != '}')
    for (;;)
      {
        const char *key, *value = NULL;
        gsize key_len, value_len = 0;
        gssize wanted;

        if (*p != '"' || (p = scan_plain_string (p, &key, &key_len)) == NULL)
          return FALSE;
        p = skip_space (p);
        if (*p != ':')
          return FALSE;
        p = skip_space (p + 1);
        if (*p == '"')
          p = scan_plain_string (p, &value, &value_len);
        else
          p = scan_scalar (p);
        if (p == NULL)
          return FALSE;

        wanted = find_name (reader, key, key_len);
        if (wanted >= 0)
          {
            /* Which of two the readers take is theirs to say. */
            if (reader->seen[wanted])
              return FALSE;
            reader->seen[wanted] = TRUE;
            if (value != NULL)
              {
                reader->starts[wanted] = reader->buffer->len;
                g_string_append_len (reader->buffer, value, value_len);
                g_string_append_c (reader->buffer, '\0');
              }
          }

        p = skip_space (p);
        if (*p == '}')
          break;
        if (*p != ',')
          return FALSE;
        p = skip_space (p + 1);
      }
  return *skip_space (p + 1) == '\0';
}

static gboolean
ask_sqlite (XiStoreFieldReader  *reader,
            const char          *json,
            GError             **error)
{
  sqlite3_stmt *stmt = _xi_store_prepare (reader->store,
                                          "SELECT CASE WHEN json_valid (?1) AND json_type (?1, ?2) = 'text'"
                                          " THEN json_extract (?1, ?2) END",
                                          error);

  if (stmt == NULL)
    return FALSE;
  _xi_store_bind_text_static (stmt, 1, json);
  for (guint i = 0; i < reader->n_names; i++)
    {
      int rc;

      sqlite3_reset (stmt);
      _xi_store_bind_text_static (stmt, 2, reader->paths[i]);
      rc = sqlite3_step (stmt);
      if (rc != SQLITE_ROW)
        {
          _xi_store_set_error (reader->store, rc, error);
          sqlite3_reset (stmt);
          return FALSE;
        }
      if (sqlite3_column_type (stmt, 0) != SQLITE_NULL)
        {
          reader->starts[i] = reader->buffer->len;
          g_string_append_len (reader->buffer, (const char *)sqlite3_column_text (stmt, 0),
                               sqlite3_column_bytes (stmt, 0));
          g_string_append_c (reader->buffer, '\0');
        }
    }
  sqlite3_reset (stmt);
  return TRUE;
}

/**
 * _xi_store_field_reader_read:
 * @reader: a reader
 * @json: (nullable): a contact's custom_fields
 * @error: return location for an error
 *
 * Returns: (transfer none) (array length=n_names) (nullable): each
 *   name's text in @json or %NULL, until the next read; %NULL with
 *   @error set when SQLite failed
 */
const char **
_xi_store_field_reader_read (XiStoreFieldReader  *reader,
                             const char          *json,
                             GError             **error)
{
  g_string_truncate (reader->buffer, 0);
  memset (reader->starts, 0xff, reader->n_names * sizeof (gssize));
  memset (reader->seen, 0, reader->n_names);

  if (json != NULL && !scan_object (reader, json))
    {
      g_string_truncate (reader->buffer, 0);
      memset (reader->starts, 0xff, reader->n_names * sizeof (gssize));
      if (!ask_sqlite (reader, json, error))
        return NULL;
    }

  for (guint i = 0; i < reader->n_names; i++)
    reader->values[i] = reader->starts[i] >= 0 ? reader->buffer->str + reader->starts[i] : NULL;
  return reader->values;
}
