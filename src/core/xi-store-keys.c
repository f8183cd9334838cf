/* xi-store-keys.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-store-keys"

#include "config.h"

#include <glib/gi18n.h>
#include <sodium.h>

#include "xi-random.h"
#include "xi-sqlite-memory.h"
#include "xi-store-private.h"

/*
 * The WhatsApp device credentials and Signal store, on the store thread.
 * The values are secrets: this file never logs them, and the table has no
 * sync columns, so no sync code can ever pick them up.
 *
 * Every value is sealed with XChaCha20-Poly1305 under a 32-byte key that
 * lives in the Secret Service (or a key file, see XiSecretStore), never
 * in the database: a copy of the data folder alone opens nothing. The
 * associated data names the row (user, kind, key), so a value moved to
 * another row fails to open instead of being taken for that row's. All
 * values are sealed, not only the device's private keys: session records
 * hold the ratchet's chain keys, which read past and future messages, and
 * sealing one costs about a microsecond against a millisecond of work per
 * message. Each value's random nonce comes from xi_random_bytes (), which
 * reads the kernel's generator ahead: a system call per value was two of
 * the four getrandom calls of every message sent.
 *
 * A marker row (kind ".seal") names the key by a random id; the secret is
 * stored under that id. A new key is saved in the keyring before the first
 * row sealed with it is committed, inside the write transaction, so two
 * processes opening one folder agree on one key, and a crash never leaves
 * rows under a key nobody kept. Unlinking wipes the rows and deletes the
 * key; the next link makes a new one. A database from before sealing is
 * sealed in place, in one transaction, on its first load.
 *
 * The store thread blocks on the keyring only when it needs a key: on
 * load, and when the first value after a wipe is written (linking).
 */

#define MARKER_KIND    ".seal"
#define MARKER_KEY     "key-id"
#define SEAL_VERSION   1
#define SEAL_OVERHEAD  (1 + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + \
                        crypto_aead_xchacha20poly1305_ietf_ABYTES)
#define KEY_ID_BYTES   16
#define LOAD_ATTEMPTS  3

/* A lazy kind with at most this many rows has its keys kept in memory,
 * so that a key it does not have costs no search of the table. */
#define FEW_KEYS       4096

/* Owned by the store thread. */
struct _XiKeySeal
{
  gboolean  loaded;
  gboolean  unreadable;      /* rows sealed under a key we do not have */
  char     *id;              /* NULL: no rows yet, no key */
  GBytes   *key;
  gint64    marker_version;  /* data_version when the marker last named @id, or -1 */
  /* kind -> the keys it has (a set), or to NULL: more than FEW_KEYS;
   * for @few_user as of @few_version */
  GHashTable *few;
  char       *few_user;
  gint64      few_version;
};

static void
wipe_free (gpointer data)
{
  sodium_memzero (data, crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  g_free (data);
}

/* A copy of a key of the right size that is zeroed when freed, or %NULL. */
static GBytes *
key_bytes_new (gconstpointer data,
               gsize         len)
{
  gpointer copy;

  if (data == NULL || len != crypto_aead_xchacha20poly1305_ietf_KEYBYTES)
    return NULL;
  copy = g_memdup2 (data, len);
  return g_bytes_new_with_free_func (copy, len, wipe_free, copy);
}

void
_xi_key_seal_free (XiKeySeal *seal)
{
  if (seal == NULL)
    return;
  g_free (seal->id);
  g_clear_pointer (&seal->key, g_bytes_unref);
  g_clear_pointer (&seal->few, g_hash_table_unref);
  g_free (seal->few_user);
  g_free (seal);
}

static void
seal_set (XiKeySeal  *seal,
          const char *id,
          GBytes     *key,
          gboolean    unreadable)
{
  char *new_id = g_strdup (id);
  GBytes *new_key = key != NULL ? g_bytes_ref (key) : NULL;

  g_free (seal->id);
  g_clear_pointer (&seal->key, g_bytes_unref);
  seal->id = new_id;
  seal->key = new_key;
  seal->unreadable = unreadable;
  seal->marker_version = -1;
}

static void
key_set_free (gpointer set)
{
  if (set != NULL)
    g_hash_table_unref (set);
}

static XiKeySeal *
get_seal (XiStore *self)
{
  _xi_store_assert_thread (self);

  if (self->seal == NULL)
    {
      self->seal = g_new0 (XiKeySeal, 1);
      self->seal->marker_version = -1;
      self->seal->few = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, key_set_free);
    }
  return self->seal;
}

static char *
secret_name (const char *id)
{
  return g_strconcat ("wa-keystore-", id, NULL);
}

/* The id comes from the file, which anybody may have edited. */
static gboolean
id_is_valid (const char *id)
{
  if (strlen (id) != KEY_ID_BYTES * 2)
    return FALSE;
  for (const char *p = id; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p))
      return FALSE;
  return TRUE;
}

/* "wa_keystore\x1f<user>\x1f<kind>\x1f<key>", what binds a sealed value
 * to its row. Built on the stack when it fits, which is nearly always:
 * a kept message seals or opens about eight values, and the two
 * allocations of a joined string each time cost more than the join. */
typedef struct
{
  char   stack[256];
  char  *heap;
  gsize  len;
} AssociatedData;

static const guint8 *
associated_data (AssociatedData *ad,
                 XiStore        *self,
                 const char     *kind,
                 const char     *key)
{
  const char *parts[] = { "wa_keystore", self->master_user_id, kind, key };
  gsize lens[G_N_ELEMENTS (parts)];
  gsize size = 0;
  char *out;

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      lens[i] = strlen (parts[i]);
      size += lens[i] + 1;
    }
  out = size <= sizeof ad->stack ? ad->stack : (ad->heap = g_malloc (size));
  ad->len = 0;
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      if (i > 0)
        out[ad->len++] = '\x1f';
      memcpy (out + ad->len, parts[i], lens[i]);
      ad->len += lens[i];
    }
  return (const guint8 *) out;
}

static void
associated_data_clear (AssociatedData *ad)
{
  g_free (ad->heap);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (AssociatedData, associated_data_clear)

static GBytes *
seal_value (XiStore    *self,
            GBytes     *seal_key,
            const char *kind,
            const char *key,
            GBytes     *plain)
{
  g_auto(AssociatedData) ad = { .heap = NULL };
  const guint8 *ad_data = associated_data (&ad, self, kind, key);
  gsize plain_len;
  const guint8 *plain_data = g_bytes_get_data (plain, &plain_len);
  guint8 *out = g_malloc (plain_len + SEAL_OVERHEAD);
  guint8 *nonce = out + 1;
  unsigned long long sealed_len;

  out[0] = SEAL_VERSION;
  xi_random_bytes (nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  crypto_aead_xchacha20poly1305_ietf_encrypt (nonce + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
                                              &sealed_len, plain_data, plain_len, ad_data, ad.len,
                                              NULL, nonce, g_bytes_get_data (seal_key, NULL));
  return g_bytes_new_take (out, 1 + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + sealed_len);
}

/* Returns %NULL when @data was not sealed with @seal_key for this row. */
static GBytes *
open_value (XiStore      *self,
            GBytes       *seal_key,
            const char   *kind,
            const char   *key,
            const guint8 *data,
            gsize         len)
{
  g_auto(AssociatedData) ad = { .heap = NULL };
  const guint8 *ad_data = associated_data (&ad, self, kind, key);
  const guint8 *nonce = data + 1;
  unsigned long long plain_len;
  guint8 *plain;

  if (len < SEAL_OVERHEAD || data[0] != SEAL_VERSION)
    return NULL;
  plain = g_malloc (len - SEAL_OVERHEAD + 1);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt (plain, &plain_len, NULL,
                                                  nonce + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
                                                  len - 1 - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
                                                  ad_data, ad.len, nonce,
                                                  g_bytes_get_data (seal_key, NULL)) != 0)
    {
      g_free (plain);
      return NULL;
    }
  return g_bytes_new_take (plain, plain_len);
}

static void
set_unreadable_error (GError **error)
{
  g_set_error_literal (error, XI_STORE_ERROR, XI_STORE_ERROR_UNREADABLE,
                       _("The WhatsApp keys on this computer cannot be read: the key that protects "
                         "them is missing from the keyring or does not match. Link the device again."));
}

static gboolean
read_marker (XiStore     *self,
             char       **id,
             GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  *id = NULL;
  stmt = _xi_store_prepare (self,
                            "SELECT value FROM wa_keystore"
                            " WHERE master_user_id = ?1 AND kind = '" MARKER_KIND "'"
                            " AND key = '" MARKER_KEY "'",
                            error);
  if (stmt == NULL)
    return FALSE;
  _xi_store_bind_text (stmt, 1, self->master_user_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *id = g_strndup (sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0));
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _xi_store_set_error (self, rc, error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
delete_marker (XiStore  *self,
               GError  **error)
{
  sqlite3_stmt *stmt;

  stmt = _xi_store_prepare (self,
                            "DELETE FROM wa_keystore WHERE master_user_id = ?1"
                            " AND kind = '" MARKER_KIND "' AND key = '" MARKER_KEY "'",
                            error);
  if (stmt == NULL)
    return FALSE;
  _xi_store_bind_text (stmt, 1, self->master_user_id);
  return _xi_store_step_done (self, stmt, error);
}

static gboolean
write_row (XiStore      *self,
           const char   *kind,
           const char   *key,
           GBytes       *value,
           GError      **error)
{
  g_autofree char *now = _xi_store_now ();
  sqlite3_stmt *stmt;
  gsize len;
  gconstpointer bytes = g_bytes_get_data (value, &len);

  stmt = _xi_store_prepare (self,
                            "INSERT INTO wa_keystore (master_user_id, kind, key, value, updated_at)"
                            " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (master_user_id, kind, key)"
                            " DO UPDATE SET value = ?4, updated_at = ?5",
                            error);
  if (stmt == NULL)
    return FALSE;
  _xi_store_bind_text (stmt, 1, self->master_user_id);
  _xi_store_bind_text (stmt, 2, kind);
  _xi_store_bind_text (stmt, 3, key);
  sqlite3_bind_blob (stmt, 4, bytes, (int)len, SQLITE_STATIC);
  _xi_store_bind_text (stmt, 5, now);
  return _xi_store_step_done (self, stmt, error);
}

/* A new key, kept in the keyring before anything is sealed with it; the
 * caller is inside a write transaction, which the marker joins. */
static gboolean
start_seal (XiStore    *self,
            XiKeySeal  *seal,
            GError    **error)
{
  guint8 id_bytes[KEY_ID_BYTES];
  guint8 key_data[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
  g_autoptr(GBytes) key = NULL;
  g_autoptr(GBytes) marker = NULL;
  g_autofree char *id = NULL;
  g_autofree char *name = NULL;

  randombytes_buf (id_bytes, sizeof id_bytes);
  crypto_aead_xchacha20poly1305_ietf_keygen (key_data);
  key = key_bytes_new (key_data, sizeof key_data);
  sodium_memzero (key_data, sizeof key_data);
  id = g_malloc (KEY_ID_BYTES * 2 + 1);
  sodium_bin2hex (id, KEY_ID_BYTES * 2 + 1, id_bytes, sizeof id_bytes);
  name = secret_name (id);

  if (!xi_secret_store_save_sync (self->secrets, name, _("Xender-In: key to the WhatsApp keys"),
                                  key, NULL, error))
    return FALSE;

  marker = g_bytes_new (id, strlen (id));
  if (!write_row (self, MARKER_KIND, MARKER_KEY, marker, error))
    {
      xi_secret_store_delete_sync (self->secrets, name, NULL, NULL);
      return FALSE;
    }
  seal_set (seal, id, key, FALSE);
  return TRUE;
}

/* Failing to delete an old key leaves it unused; the rows it sealed are
 * gone already. */
static void
forget_key (XiStore    *self,
            const char *id)
{
  g_autofree char *name = secret_name (id);
  g_autoptr(GError) error = NULL;

  if (!xi_secret_store_delete_sync (self->secrets, name, NULL, &error))
    g_warning ("Could not delete the key of unlinked WhatsApp keys: %s", error->message);
}

typedef struct
{
  char   *kind;
  char   *key;
  GBytes *value;
} Row;

static void
row_free (Row *row)
{
  g_free (row->kind);
  g_free (row->key);
  g_bytes_unref (row->value);
  g_free (row);
}

static gboolean
kind_is_in (const char         *kind,
            const char * const *kinds)
{
  return kinds != NULL && g_strv_contains (kinds, kind);
}

/* Every row but those of @lazy_kinds, which are counted in *skipped:
 * they are read on demand, so memory does not grow with them. */
static GPtrArray *
read_rows (XiStore             *self,
           const char * const  *lazy_kinds,
           guint               *skipped,
           GError             **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify)row_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = _xi_store_prepare (self,
                            "SELECT kind, key, value FROM wa_keystore"
                            " WHERE master_user_id = ?1 AND kind != '" MARKER_KIND "'",
                            error);
  if (stmt == NULL)
    return NULL;

  *skipped = 0;
  _xi_store_bind_text (stmt, 1, self->master_user_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Row *row;

      if (kind_is_in ((const char *)sqlite3_column_text (stmt, 0), lazy_kinds))
        {
          (*skipped)++;
          continue;
        }
      row = g_new0 (Row, 1);
      row->kind = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
      row->key = g_strdup ((const char *)sqlite3_column_text (stmt, 1));
      row->value = g_bytes_new (sqlite3_column_blob (stmt, 2), sqlite3_column_bytes (stmt, 2));
      g_ptr_array_add (rows, row);
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      _xi_store_set_error (self, rc, error);
      return NULL;
    }
  return g_steal_pointer (&rows);
}

static GHashTable *
new_table (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_bytes_unref);
}

static void
table_add (GHashTable *table,
           Row        *row,
           GBytes     *plain)
{
  g_hash_table_insert (table, g_strconcat (row->kind, "\x1f", row->key, NULL), plain);
}

/* Rows written before values were sealed: sealed in place under a new
 * key, inside the caller's transaction. */
static GHashTable *
seal_plain_rows (XiStore    *self,
                 XiKeySeal  *seal,
                 GPtrArray  *rows,
                 GError    **error)
{
  g_autoptr(GHashTable) table = new_table ();

  if (!start_seal (self, seal, error))
    return NULL;
  for (guint i = 0; i < rows->len; i++)
    {
      Row *row = g_ptr_array_index (rows, i);
      g_autoptr(GBytes) sealed = seal_value (self, seal->key, row->kind, row->key, row->value);

      if (!write_row (self, row->kind, row->key, sealed, error))
        return NULL;
      table_add (table, row, g_bytes_ref (row->value));
    }
  g_debug ("Sealed %u WhatsApp keys written before sealing", rows->len);
  return g_steal_pointer (&table);
}

static GHashTable *
open_rows (XiStore    *self,
           GBytes     *key,
           GPtrArray  *rows)
{
  g_autoptr(GHashTable) table = new_table ();

  if (key == NULL)
    return NULL;
  for (guint i = 0; i < rows->len; i++)
    {
      Row *row = g_ptr_array_index (rows, i);
      gsize len;
      const guint8 *data = g_bytes_get_data (row->value, &len);
      GBytes *plain = open_value (self, key, row->kind, row->key, data, len);

      if (plain == NULL)
        return NULL;
      table_add (table, row, plain);
    }
  return g_steal_pointer (&table);
}

/* One attempt at reading the rows under the key the marker names. The
 * key is looked up outside the transaction (the keyring may ask the user
 * to unlock it); if the marker changed meanwhile, *retry is set. */
static GHashTable *
load_once (XiStore             *self,
           XiKeySeal           *seal,
           const char * const  *lazy_kinds,
           gboolean            *retry,
           GError             **error)
{
  g_autofree char *id = NULL;
  g_autofree char *id_now = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GHashTable) table = NULL;
  guint skipped = 0;

  *retry = FALSE;
  if (!read_marker (self, &id, error))
    return NULL;
  if (id != NULL && id_is_valid (id))
    {
      g_autofree char *name = secret_name (id);
      g_autoptr(GBytes) found = NULL;
      GError *local_error = NULL;

      found = xi_secret_store_lookup_sync (self->secrets, name, NULL, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return NULL;
        }
      if (found != NULL)
        key = key_bytes_new (g_bytes_get_data (found, NULL), g_bytes_get_size (found));
    }

  if (!_xi_store_begin (self, error))
    return NULL;
  /* Rows from before sealing are all sealed at once, lazy or not. */
  if (!read_marker (self, &id_now, error) ||
      (rows = read_rows (self, id_now != NULL ? lazy_kinds : NULL, &skipped, error)) == NULL)
    goto failed;
  if (g_strcmp0 (id, id_now) != 0)
    {
      _xi_store_rollback (self);
      *retry = TRUE;
      return NULL;
    }

  /* No rows: nothing to open, and the first value written (linking)
   * starts a new key. */
  if (rows->len == 0 && skipped == 0)
    {
      if (id != NULL && !delete_marker (self, error))
        goto failed;
      seal_set (seal, NULL, NULL, FALSE);
      table = new_table ();
    }
  else if (id == NULL)
    {
      if ((table = seal_plain_rows (self, seal, rows, error)) == NULL)
        goto failed;
    }
  else if ((table = open_rows (self, key, rows)) != NULL)
    seal_set (seal, id, key, FALSE);
  else
    {
      _xi_store_rollback (self);
      seal_set (seal, id_is_valid (id) ? id : NULL, NULL, TRUE);
      seal->loaded = TRUE;
      set_unreadable_error (error);
      return NULL;
    }

  if (!_xi_store_commit (self, error))
    goto failed;
  seal->loaded = TRUE;
  if (rows->len == 0 && skipped == 0 && id != NULL && id_is_valid (id))
    forget_key (self, id);
  return g_steal_pointer (&table);

failed:
  _xi_store_rollback (self);
  return NULL;
}

static void
load_keys_func (XiStore  *self,
                GTask    *task,
                gpointer  data)
{
  XiKeySeal *seal = get_seal (self);
  const char * const *lazy_kinds = data;
  GError *error = NULL;

  if (sodium_init () < 0)
    {
      g_task_return_new_error (task, XI_STORE_ERROR, XI_STORE_ERROR_FAILED,
                               _("Could not start the cryptography library"));
      return;
    }

  /* Listed for the keys loaded before, which may have been another link's. */
  g_hash_table_remove_all (seal->few);
  /* Whoever writes next writes from what this reads. */
  g_clear_error (&self->keys_owe_failure);
  g_clear_error (&self->keys_refused);
  for (guint attempt = 0; attempt < LOAD_ATTEMPTS; attempt++)
    {
      gboolean retry;
      GHashTable *table = load_once (self, seal, lazy_kinds, &retry, &error);

      if (table != NULL)
        {
          g_task_return_pointer (task, table, (GDestroyNotify)g_hash_table_unref);
          return;
        }
      if (!retry)
        {
          g_task_return_error (task, error);
          return;
        }
    }
  g_task_return_new_error (task, XI_STORE_ERROR, XI_STORE_ERROR_STATE,
                           _("Another Xender-In process keeps changing the WhatsApp keys. Close it, "
                             "then try again."));
}

/**
 * xi_store_load_keys_async:
 * @self: a #XiStore
 * @lazy_kinds: (nullable): kinds not to load, read later with
 *   xi_store_get_keys_async()
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Loads the key store of the current user but @lazy_kinds, for a cache
 * that serves libsignal's synchronous reads on the network thread,
 * opening the sealed values with the key from the keyring (and sealing
 * values written before sealing existed). Keys that cannot be opened fail
 * with %XI_STORE_ERROR_UNREADABLE; writing a wipe (xi_key_change_new()
 * with %NULL) then starts afresh, for linking again.
 */
void
xi_store_load_keys_async (XiStore             *self,
                          const char * const  *lazy_kinds,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));

  _xi_store_push (self, load_keys_func, g_strdupv ((char **) lazy_kinds), (GDestroyNotify) g_strfreev,
                  xi_store_load_keys_async, cancellable, callback, user_data);
}

/**
 * xi_store_load_keys_finish:
 *
 * Returns: (transfer full) (element-type utf8 GBytes): "kind\x1fkey" to value
 */
GHashTable *
xi_store_load_keys_finish (XiStore       *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* PRAGMA data_version, which moves only when another connection
 * commits; -1 when it cannot be read. */
static gint64
read_data_version (XiStore  *self,
                   GError  **error)
{
  sqlite3_stmt *stmt;
  gint64 version = -1;
  int rc;

  stmt = _xi_store_prepare (self, "PRAGMA data_version", error);
  if (stmt == NULL)
    return -1;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    version = sqlite3_column_int64 (stmt, 0);
  else
    _xi_store_set_error (self, rc, error);
  sqlite3_reset (stmt);
  return version;
}

/* The keys of @kind, when it has few and they were listed: a key not
 * among them has no row, and is not searched for. Valid until another
 * connection commits (a second process may have written one), or the
 * user changes; this connection's own writes keep it up to date
 * (note_written_key ()). %NULL when not listed or too many. */
static GHashTable *
few_keys (XiStore    *self,
          XiKeySeal  *seal,
          const char *kind)
{
  gint64 version = read_data_version (self, NULL);
  GHashTableIter iter;
  gpointer set;

  if (version < 0)
    return NULL;
  if (version != seal->few_version || g_strcmp0 (seal->few_user, self->master_user_id) != 0)
    {
      gboolean same_user = g_strcmp0 (seal->few_user, self->master_user_id) == 0;

      /* A kind found to have many is not listed again: it keeps them. */
      g_hash_table_iter_init (&iter, seal->few);
      while (g_hash_table_iter_next (&iter, NULL, &set))
        if (set != NULL || !same_user)
          g_hash_table_iter_remove (&iter);
      g_free (seal->few_user);
      seal->few_user = g_strdup (self->master_user_id);
      seal->few_version = version;
    }
  return g_hash_table_lookup (seal->few, kind);
}

/* Lists the keys of @kind after a search for one found nothing, so that
 * the next searches for missing keys of a kind that has few are skipped.
 * A kind with many is remembered as such, and never listed again. */
static void
list_few_keys (XiStore    *self,
               XiKeySeal  *seal,
               const char *kind)
{
  g_autoptr(GHashTable) keys = NULL;
  sqlite3_stmt *stmt;
  int rc;

  if (g_hash_table_contains (seal->few, kind))
    return;
  stmt = _xi_store_prepare (self,
                            "SELECT key FROM wa_keystore WHERE master_user_id = ?1 AND kind = ?2 LIMIT ?3",
                            NULL);
  if (stmt == NULL)
    return;
  keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  _xi_store_bind_text (stmt, 1, self->master_user_id);
  _xi_store_bind_text (stmt, 2, kind);
  sqlite3_bind_int (stmt, 3, FEW_KEYS + 1);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_add (keys, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return;
  if (g_hash_table_size (keys) > FEW_KEYS)
    g_clear_pointer (&keys, g_hash_table_unref);
  g_hash_table_insert (seal->few, g_strdup (kind), g_steal_pointer (&keys));
}

/* After this connection wrote @change, inside its transaction. */
static void
note_written_key (XiKeySeal         *seal,
                  const XiKeyChange *change)
{
  GHashTable *keys;

  if (change->kind == NULL)
    {
      /* Wiped: every kind has none now. */
      g_hash_table_remove_all (seal->few);
      return;
    }
  keys = g_hash_table_lookup (seal->few, change->kind);
  if (keys == NULL)
    return;
  if (change->value == NULL)
    g_hash_table_remove (keys, change->key);
  else if (g_hash_table_size (keys) < FEW_KEYS)
    g_hash_table_add (keys, g_strdup (change->key));
  else if (!g_hash_table_contains (keys, change->key))
    g_hash_table_insert (seal->few, g_strdup (change->kind), NULL);
}

typedef struct
{
  char  *kind;
  char **keys;  /* NULL: all of them */
} GetKeys;

static void
get_keys_free (GetKeys *get)
{
  g_free (get->kind);
  g_strfreev (get->keys);
  g_free (get);
}

static void
get_keys_func (XiStore  *self,
               GTask    *task,
               gpointer  data)
{
  GetKeys *get = data;
  XiKeySeal *seal = get_seal (self);
  g_autoptr(GHashTable) table = new_table ();
  GHashTable *present;
  sqlite3_stmt *stmt;
  GError *error = NULL;
  gboolean began;
  int rc = SQLITE_DONE;

  if (!seal->loaded)
    {
      _xi_store_return_error (self, task, g_error_new_literal (XI_STORE_ERROR, XI_STORE_ERROR_STATE,
                                                           "The WhatsApp keys were read before they were loaded"));
      return;
    }
  if (seal->unreadable)
    {
      set_unreadable_error (&error);
      _xi_store_return_error (self, task, error);
      return;
    }
  /* No key yet: nothing was ever sealed, so there is nothing to read. */
  if (seal->key == NULL)
    {
      _xi_store_return_pointer (self, task, g_steal_pointer (&table), (GDestroyNotify) g_hash_table_unref);
      return;
    }

  stmt = _xi_store_prepare (self,
                            get->keys != NULL
                              ? "SELECT key, value FROM wa_keystore"
                                " WHERE master_user_id = ?1 AND kind = ?2 AND key = ?3"
                              : "SELECT key FROM wa_keystore"
                                " WHERE master_user_id = ?1 AND kind = ?2",
                            &error);
  if (stmt == NULL)
    {
      _xi_store_return_error (self, task, error);
      return;
    }
  /* The keys, and the data_version that says whether the kind's list of
   * keys still holds, are read in one read transaction: one snapshot,
   * and the WAL's read lock taken once rather than once a statement.
   * Read apart, a single key took it twice, three or four fcntl calls. */
  began = get->keys != NULL && get->keys[0] != NULL && sqlite3_get_autocommit (self->db);
  if (began && !_xi_store_run (self, "BEGIN", &error))
    {
      _xi_store_return_error (self, task, error);
      return;
    }
  present = get->keys != NULL ? few_keys (self, seal, get->kind) : NULL;
  /* A reset keeps the bindings: only the key changes from row to row. A
   * message reads about fourteen keys, and each binding copies its text. */
  _xi_store_bind_text (stmt, 1, self->master_user_id);
  _xi_store_bind_text (stmt, 2, get->kind);
  for (guint i = 0; get->keys == NULL ? i == 0 : get->keys[i] != NULL; i++)
    {
      if (present != NULL && !g_hash_table_contains (present, get->keys[i]))
        continue;
      if (get->keys != NULL)
        _xi_store_bind_text (stmt, 3, get->keys[i]);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          const char *key = (const char *)sqlite3_column_text (stmt, 0);
          GBytes *plain = NULL;

          /* A list needs no value: none is opened. */
          if (get->keys == NULL)
            {
              g_hash_table_insert (table, g_strdup (key), NULL);
              continue;
            }
          plain = open_value (self, seal->key, get->kind, key, sqlite3_column_blob (stmt, 1),
                              sqlite3_column_bytes (stmt, 1));
          if (plain == NULL)
            {
              sqlite3_reset (stmt);
              if (began)
                _xi_store_rollback (self);
              set_unreadable_error (&error);
              _xi_store_return_error (self, task, error);
              return;
            }
          g_hash_table_insert (table, g_strdup (key), plain);
          /* The key is the row's primary key: there is no second row
           * to step to. */
          rc = SQLITE_DONE;
          break;
        }
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        break;
    }
  if (rc != SQLITE_DONE)
    {
      _xi_store_set_error (self, rc, &error);
      if (began)
        _xi_store_rollback (self);
      _xi_store_return_error (self, task, error);
      return;
    }
  if (get->keys != NULL && present == NULL && g_hash_table_size (table) < g_strv_length (get->keys))
    list_few_keys (self, seal, get->kind);
  /* Ends the read transaction; there is nothing to write. */
  if (began)
    _xi_store_rollback (self);
  _xi_store_return_pointer (self, task, g_steal_pointer (&table), (GDestroyNotify) g_hash_table_unref);
}

char *
_xi_store_pn_of_lid (XiStore    *self,
                     const char *lid_user)
{
  XiKeySeal *seal = get_seal (self);
  g_autoptr(GBytes) plain = NULL;
  sqlite3_stmt *stmt;
  char *pn_user = NULL;

  /* Keys this process never read, or cannot, say nothing. */
  if (!seal->loaded || seal->key == NULL || seal->unreadable)
    return NULL;
  stmt = _xi_store_prepare (self,
                            "SELECT value FROM wa_keystore WHERE master_user_id = ?1"
                            " AND kind = '" XI_STORE_KEY_KIND_LID_PN "' AND key = ?2",
                            NULL);
  if (stmt == NULL)
    return NULL;
  _xi_store_bind_text (stmt, 1, self->master_user_id);
  _xi_store_bind_text (stmt, 2, lid_user);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    plain = open_value (self, seal->key, XI_STORE_KEY_KIND_LID_PN, lid_user, sqlite3_column_blob (stmt, 0),
                        sqlite3_column_bytes (stmt, 0));
  sqlite3_reset (stmt);
  if (plain != NULL && g_bytes_get_size (plain) <= 32)
    pn_user = g_strndup (g_bytes_get_data (plain, NULL), g_bytes_get_size (plain));
  return pn_user;
}

/**
 * xi_store_get_keys_async:
 * @self: a #XiStore
 * @kind: a key-store namespace, one of the lazy kinds given to
 *   xi_store_load_keys_async()
 * @keys: (nullable): the keys wanted, or %NULL to list the keys of @kind
 *   (then without their values)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Reads values of a kind that is loaded on demand. Runs in order with
 * xi_store_put_keys_async(), so it sees every change queued before it.
 */
void
xi_store_get_keys_async (XiStore             *self,
                         const char          *kind,
                         const char * const  *keys,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GetKeys *get;

  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (kind != NULL);

  get = g_new0 (GetKeys, 1);
  get->kind = g_strdup (kind);
  get->keys = g_strdupv ((char **) keys);
  _xi_store_push_leaving_riders (self, get_keys_func, get, (GDestroyNotify) get_keys_free,
                                 xi_store_get_keys_async, cancellable, callback, user_data);
}

/**
 * xi_store_get_keys_finish:
 *
 * Returns: (transfer full) (element-type utf8 GBytes): key to value, for
 *   the keys that have one; to %NULL for a list
 */
GHashTable *
xi_store_get_keys_finish (XiStore       *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * xi_key_change_new:
 * @kind: (nullable): a key-store namespace; %NULL (with @key and @value
 *   %NULL) wipes the whole key store and deletes the key that sealed it,
 *   as when the device is unlinked
 * @key: (nullable): the key inside @kind
 * @value: (nullable): the secret, or %NULL to delete the key
 *
 * Returns: (transfer full): one change for xi_store_put_keys_async()
 */
XiKeyChange *
xi_key_change_new (const char *kind,
                   const char *key,
                   GBytes     *value)
{
  XiKeyChange *change = g_new0 (XiKeyChange, 1);

  g_return_val_if_fail ((kind == NULL) == (key == NULL), NULL);
  g_return_val_if_fail (kind != NULL || value == NULL, NULL);

  change->kind = g_strdup (kind);
  change->key = g_strdup (key);
  change->value = value != NULL ? g_bytes_ref (value) : NULL;
  return change;
}

void
xi_key_change_free (XiKeyChange *change)
{
  if (change == NULL)
    return;
  g_free (change->kind);
  g_free (change->key);
  g_clear_pointer (&change->value, g_bytes_unref);
  g_free (change);
}

/* Whether the marker still names the key this process holds: another
 * process may have unlinked and linked again since this one loaded.
 * Called in the write transaction, where data_version has moved since
 * the last check if, and only if, another connection committed since;
 * until one does, the marker is the one checked then, and reading it
 * again for every message cost two B-tree searches. */
static gboolean
check_marker (XiStore    *self,
              XiKeySeal  *seal,
              GError    **error)
{
  g_autofree char *id = NULL;
  gint64 version = read_data_version (self, error);

  if (version < 0)
    return FALSE;
  if (version == seal->marker_version)
    return TRUE;
  if (!read_marker (self, &id, error))
    return FALSE;
  if (seal->unreadable || g_strcmp0 (id, seal->id) == 0)
    {
      seal->marker_version = version;
      return TRUE;
    }
  g_set_error_literal (error, XI_STORE_ERROR, XI_STORE_ERROR_STATE,
                       _("Another Xender-In process linked or unlinked WhatsApp meanwhile. Close "
                         "this one and open it again."));
  return FALSE;
}

static gboolean
apply_key_change (XiStore      *self,
                  XiKeySeal    *seal,
                  XiKeyChange  *change,
                  GPtrArray    *forgotten,
                  GError      **error)
{
  g_autoptr(GBytes) sealed = NULL;
  sqlite3_stmt *stmt;

  if (change->value != NULL)
    {
      if (seal->unreadable)
        {
          set_unreadable_error (error);
          return FALSE;
        }
      if (seal->key == NULL && !start_seal (self, seal, error))
        return FALSE;
      sealed = seal_value (self, seal->key, change->kind, change->key, change->value);
      return write_row (self, change->kind, change->key, sealed, error);
    }

  if (change->kind == NULL)
    {
      stmt = _xi_store_prepare (self, "DELETE FROM wa_keystore WHERE master_user_id = ?1", error);
      if (seal->id != NULL)
        g_ptr_array_add (forgotten, g_strdup (seal->id));
      seal_set (seal, NULL, NULL, FALSE);
    }
  else
    stmt = _xi_store_prepare (self,
                              "DELETE FROM wa_keystore WHERE master_user_id = ?1"
                              " AND kind = ?2 AND key = ?3",
                              error);
  if (stmt == NULL)
    return FALSE;

  _xi_store_bind_text (stmt, 1, self->master_user_id);
  if (change->kind != NULL)
    {
      _xi_store_bind_text (stmt, 2, change->kind);
      _xi_store_bind_text (stmt, 3, change->key);
    }
  return _xi_store_step_done (self, stmt, error);
}

/* A LID's number, learned: in the same transaction, so that the mapping
 * is never on disk while what the LID sent is not joined to the number,
 * whichever process learned it. */
static gboolean
join_mapped_lid (XiStore      *self,
                 XiKeyChange  *change,
                 GError      **error)
{
  g_autofree char *pn_user = NULL;

  if (change->value == NULL || g_strcmp0 (change->kind, XI_STORE_KEY_KIND_LID_PN) != 0)
    return TRUE;
  pn_user = g_strndup (g_bytes_get_data (change->value, NULL), g_bytes_get_size (change->value));
  return _xi_store_join_lid (self, change->key, pn_user, error);
}

/*
 * A key write failed. When a customer's message failed with it (it rode
 * in it, or failed alone and owed it its failure: fail_riders_alone ()),
 * the keys' owner reloads what that write held once it hears of it;
 * until then, writes it queued meanwhile carry sessions that read past
 * the message never stored (a second message from the same customer,
 * decrypted from memory), and landing they would make the copy WhatsApp
 * delivers again a duplicate, receipted and never stored. So every key
 * write fails, with its riders, until the owner says the keys were read
 * back (xi_store_note_keys_reloaded ()) or they are loaded afresh. An
 * owed failure is paid by this write, whichever way it failed.
 *
 * A write that lost no message (a wipe, a write another process kept
 * waiting) refuses none after it: what they carry is what memory holds,
 * the owner reads back the failed one's keys all the same, and refused
 * they would fail a campaign's next message for nothing, or, from a
 * writer nobody reads back for (the connection's wipe), the next key
 * write of whoever writes after it.
 */
static void
fail_keys (XiStore *self,
           GTask   *task,
           GError  *error)
{
  gboolean lost_message = self->keys_owe_failure != NULL || _xi_store_riders_bind (task);

  if (lost_message && self->keys_refused == NULL)
    self->keys_refused = g_error_copy (error);
  g_clear_error (&self->keys_owe_failure);
  _xi_store_fail_riders (self, task, error);
  _xi_store_return_error (self, task, error);
}

/* XI_TEST_FAIL_KEY_WRITE=KEY makes every key write that changes a value
 * named KEY fail as a full disk would, without a customer's message in
 * it; it is never set otherwise. */
static gboolean
test_fails_key_write (XiStore    *self,
                      GPtrArray  *changes,
                      GError    **error)
{
  const char *key = _xi_store_test_setting (self, XI_STORE_TEST_FAIL_KEY_WRITE);

  if (key == NULL)
    return FALSE;
  for (guint i = 0; i < changes->len; i++)
    if (g_strcmp0 (((const XiKeyChange *) g_ptr_array_index (changes, i))->key, key) == 0)
      {
        g_set_error_literal (error, XI_STORE_ERROR, XI_STORE_ERROR_DISK_FULL, "XI_TEST_FAIL_KEY_WRITE");
        return TRUE;
      }
  return FALSE;
}

static gboolean
starts_with_wipe (GPtrArray *changes)
{
  return changes->len > 0 && ((const XiKeyChange *) g_ptr_array_index (changes, 0))->kind == NULL;
}

static void
put_keys_func (XiStore  *self,
               GTask    *task,
               gpointer  data)
{
  GPtrArray *changes = data;
  XiKeySeal *seal = get_seal (self);
  g_autoptr(GPtrArray) forgotten = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *id_before = NULL;
  g_autoptr(GBytes) key_before = NULL;
  gboolean unreadable_before;
  GError *error = NULL;

  /* Writing before reading could seal under a second key. */
  if (changes->len > 0 && !seal->loaded)
    {
      fail_keys (self, task, g_error_new_literal (XI_STORE_ERROR, XI_STORE_ERROR_STATE,
                                                  "The WhatsApp keys were written before they were read"));
      return;
    }

  /* Nothing to write still answers: it tells the caller that everything
   * queued before has been written. */
  if (changes->len == 0 && !_xi_store_has_riders (task))
    {
      _xi_store_return_with_riders (self, task, TRUE);
      return;
    }

  /* A batch that starts by wiping the keys puts no session on disk that
   * read past anything: it is how unreadable keys are started afresh. */
  if (starts_with_wipe (changes))
    g_clear_error (&self->keys_owe_failure);
  else if (self->keys_refused != NULL || self->keys_owe_failure != NULL)
    {
      fail_keys (self, task, g_error_copy (self->keys_refused != NULL ? self->keys_refused
                                                                        : self->keys_owe_failure));
      return;
    }

  id_before = g_strdup (seal->id);
  key_before = seal->key != NULL ? g_bytes_ref (seal->key) : NULL;
  unreadable_before = seal->unreadable;

  if (!_xi_store_begin (self, &error))
    {
      fail_keys (self, task, error);
      return;
    }
  /* The riders (the outcome of the message before, receipts) were
   * queued first; should the keys fail, they fail with them. */
  if (!_xi_store_run_riders (self, task, &error))
    goto failed;
  if (changes->len > 0 && (!check_marker (self, seal, &error) || test_fails_key_write (self, changes, &error)))
    goto failed;
  for (guint i = 0; i < changes->len; i++)
    {
      if (!apply_key_change (self, seal, g_ptr_array_index (changes, i), forgotten, &error) ||
          !join_mapped_lid (self, g_ptr_array_index (changes, i), &error))
        goto failed;
      note_written_key (seal, g_ptr_array_index (changes, i));
    }
  if (!_xi_store_commit_deferring_checkpoint (self, &error))
    goto failed;

  for (guint i = 0; i < forgotten->len; i++)
    if (id_is_valid (g_ptr_array_index (forgotten, i)))
      forget_key (self, g_ptr_array_index (forgotten, i));
  _xi_store_return_with_riders (self, task, TRUE);
  return;

failed:
  _xi_store_rollback (self);
  /* What the rolled-back writes noted is not so any more. */
  g_hash_table_remove_all (seal->few);
  /* A key made for this batch was saved but sealed nothing that stays. */
  if (seal->id != NULL && g_strcmp0 (seal->id, id_before) != 0)
    forget_key (self, seal->id);
  seal_set (seal, id_before, key_before, unreadable_before);
  fail_keys (self, task, error);
}

static void
keys_reloaded_func (XiStore  *self,
                    GTask    *task,
                    gpointer  data)
{
  g_clear_error (&self->keys_refused);
  g_task_return_boolean (task, TRUE);
}

/**
 * xi_store_note_keys_reloaded:
 * @self: a #XiStore
 *
 * Tells the store that the owner of the keys heard a key write fail and
 * read back from the disk what that write and every one queued after it
 * held: the key writes queued from now on are written again. Until then,
 * when a customer's message failed with that write, they all fail, so
 * none puts on disk a session that read past a message never stored.
 */
void
xi_store_note_keys_reloaded (XiStore *self)
{
  g_return_if_fail (XI_IS_STORE (self));

  _xi_store_push_leaving_riders (self, keys_reloaded_func, NULL, NULL, xi_store_note_keys_reloaded, NULL,
                                 NULL, NULL);
}

/**
 * xi_store_put_keys_async:
 * @self: a #XiStore
 * @changes: (element-type XiKeyChange): the changes, in order
 * @cancellable: (nullable): a #GCancellable
 * @callback: (nullable): called once they are all written, or none
 * @user_data: closure
 *
 * Writes key-store changes in one transaction, together with the small
 * writes waiting to ride in one (a campaign's outcomes, receipts).
 * Operations run in the order they were queued, so a cache may apply its
 * changes at once and let the disk follow; an empty batch completes once
 * everything queued before it is written.
 */
void
xi_store_put_keys_async (XiStore             *self,
                         GPtrArray           *changes,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (changes != NULL);

  _xi_store_push_taking_riders (self, put_keys_func, g_ptr_array_ref (changes),
                                (GDestroyNotify) g_ptr_array_unref, xi_store_put_keys_async, cancellable,
                                callback, user_data);
}

gboolean
xi_store_put_keys_finish (XiStore       *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * xi_store_forget_secrets_sync:
 * @database_path: a closed store's file, about to be deleted
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Deletes from the secret store the keys that protect the WhatsApp keys
 * of the database at @database_path. Deleting the file alone would leave
 * them in the user's keyring for good, where nothing ever reads them
 * again. A database that is not there names no key. Blocks: call it on
 * a worker thread.
 *
 * Returns: whether none of its keys is left
 */
gboolean
xi_store_forget_secrets_sync (const char    *database_path,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_autoptr(XiSecretStore) secrets = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  int rc;

  g_return_val_if_fail (database_path != NULL, FALSE);

  if (!g_file_test (database_path, G_FILE_TEST_IS_REGULAR))
    return TRUE;
  /* This may be the first database the process opens. */
  xi_sqlite_memory_install ();
  rc = sqlite3_open_v2 (database_path, &db, SQLITE_OPEN_READONLY, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_busy_timeout (db, 5000);
      rc = sqlite3_prepare_v2 (db, "SELECT value FROM wa_keystore WHERE kind = '" MARKER_KIND "'"
                               " AND key = '" MARKER_KEY "'", -1, &stmt, NULL);
    }
  while (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autofree char *id = g_strndup (sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0));

      if (id_is_valid (id))
        g_ptr_array_add (names, secret_name (id));
      rc = SQLITE_OK;
    }
  if (rc != SQLITE_DONE)
    g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_FAILED,
                 _("Could not read which keys %s holds: %s"), database_path,
                 db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  if (rc != SQLITE_DONE)
    return FALSE;

  secrets = xi_secret_store_new (database_path, xi_secret_store_backend_from_env ());
  for (guint i = 0; i < names->len; i++)
    if (!xi_secret_store_delete_sync (secrets, g_ptr_array_index (names, i), cancellable, error))
      return FALSE;
  return TRUE;
}
