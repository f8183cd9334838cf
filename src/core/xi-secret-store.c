/* xi-secret-store.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-secret-store"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <libsecret/secret.h>

#include "xi-secret-store.h"
#include "xi-store.h"

/*
 * Small secrets (the key that seals the WhatsApp keys, later the sync
 * service's refresh token) kept outside the database, so that a copy of
 * the data folder alone gives nothing away. They go to the Secret Service
 * (GNOME Keyring, KWallet; under Flatpak libsecret goes through the
 * secret portal by itself), as Signal Desktop keeps its database key, or
 * where none runs, to key files of mode 0600 beside the database.
 *
 * Values are stored base64-encoded, because the portal and some services
 * handle text best. The object is immutable but for the backend, which is
 * decided once under @lock, so any thread may use it; the _sync calls
 * block (D-Bus, and maybe an unlock prompt) and never run on the main
 * thread, the _async ones run them on a worker thread.
 *
 * A Secret Service call runs on a thread of its own and is waited for at
 * most SERVICE_WAIT_MS: a keyring waiting for an unlock prompt nobody
 * answers (a locked session, a command line without a desktop), or one
 * that never replies, would otherwise hold the caller forever, and with
 * it whatever waits for the caller (the sync's sign-in, a shutdown).
 */
struct _XiSecretStore
{
  GObject          parent_instance;

  char            *database_path;
  XiSecretBackend  requested;
  guint            wait_ms;

  GMutex           lock;
  XiSecretBackend  resolved;   /* AUTO until the first call */
};

G_DEFINE_FINAL_TYPE (XiSecretStore, xi_secret_store, G_TYPE_OBJECT)

#define SERVICE_NAME "org.freedesktop.secrets"
/* Time enough for a person to type the keyring's password into the
 * prompt; the caller tries again later. */
#define SERVICE_WAIT_MS (60 * 1000)

/* Auxiliary methods */

static const SecretSchema *
get_schema (void)
{
  static const SecretSchema schema = {
    "io.github.xenderin.XenderIn.Secret", SECRET_SCHEMA_NONE,
    {
      { "name", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
  };

  return &schema;
}

/* Names become parts of file names: keep them plain. */
static gboolean
name_is_valid (const char *name)
{
  if (name == NULL || name[0] == '\0' || name[0] == '.')
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
      return FALSE;
  return TRUE;
}

static gboolean
bus_has_service (void)
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GVariant) owner = NULL;
  g_autoptr(GVariant) activatable = NULL;
  g_autofree const char **names = NULL;
  gboolean owned = FALSE;

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  if (bus == NULL)
    return FALSE;

  owner = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", SERVICE_NAME), G_VARIANT_TYPE ("(b)"),
                                       G_DBUS_CALL_FLAGS_NONE, 5000, NULL, NULL);
  if (owner != NULL)
    g_variant_get (owner, "(b)", &owned);
  if (owned)
    return TRUE;

  /* GNOME Keyring is often started by D-Bus on the first call. */
  activatable = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                             "org.freedesktop.DBus", "ListActivatableNames",
                                             NULL, G_VARIANT_TYPE ("(as)"),
                                             G_DBUS_CALL_FLAGS_NONE, 5000, NULL, NULL);
  if (activatable == NULL)
    return FALSE;
  g_variant_get (activatable, "(^a&s)", &names);
  return g_strv_contains (names, SERVICE_NAME);
}

static XiSecretBackend
resolve_backend (XiSecretStore *self)
{
  XiSecretBackend backend;

  g_mutex_lock (&self->lock);
  if (self->resolved == XI_SECRET_BACKEND_AUTO)
    {
      if (self->requested != XI_SECRET_BACKEND_AUTO)
        self->resolved = self->requested;
      else if (g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS) || bus_has_service ())
        self->resolved = XI_SECRET_BACKEND_SERVICE;
      else
        {
          self->resolved = XI_SECRET_BACKEND_FILE;
          g_warning ("No Secret Service (such as GNOME Keyring) is running: keys are kept in files"
                     " of mode 0600 beside %s", self->database_path);
        }
    }
  backend = self->resolved;
  g_mutex_unlock (&self->lock);
  return backend;
}

static gboolean
secret_failed (GError     **error,
               GError      *cause)
{
  g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_SECRETS,
               _("Could not reach the keyring: %s"), cause->message);
  g_error_free (cause);
  return FALSE;
}

/* The Secret Service, waited for at most the store's time limit */

typedef enum {
  SERVICE_LOOKUP,
  SERVICE_STORE,
  SERVICE_CLEAR,
} ServiceVerb;

typedef struct
{
  gatomicrefcount  refs;
  ServiceVerb      verb;
  char            *name;
  char            *label;
  char            *text;         /* what SERVICE_STORE stores */
  GCancellable    *cancellable;  /* the call's own: stopped when nobody waits any more */

  GMutex           lock;
  GCond            answered;
  gboolean         done;
  char            *found;        /* what SERVICE_LOOKUP found */
  GError          *error;
} ServiceCall;

static ServiceCall *
service_call_new (ServiceVerb  verb,
                  const char  *name,
                  const char  *label,
                  char        *text)
{
  ServiceCall *call = g_new0 (ServiceCall, 1);

  g_atomic_ref_count_init (&call->refs);
  call->verb = verb;
  call->name = g_strdup (name);
  call->label = g_strdup (label);
  call->text = text;
  call->cancellable = g_cancellable_new ();
  g_mutex_init (&call->lock);
  g_cond_init (&call->answered);
  return call;
}

static ServiceCall *
service_call_ref (ServiceCall *call)
{
  g_atomic_ref_count_inc (&call->refs);
  return call;
}

static void
service_call_unref (ServiceCall *call)
{
  if (!g_atomic_ref_count_dec (&call->refs))
    return;
  g_free (call->name);
  g_free (call->label);
  g_free (call->text);
  g_object_unref (call->cancellable);
  g_mutex_clear (&call->lock);
  g_cond_clear (&call->answered);
  secret_password_free (call->found);
  g_clear_error (&call->error);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ServiceCall, service_call_unref)

static gpointer
service_thread (gpointer data)
{
  ServiceCall *call = data;
  GError *error = NULL;
  char *found = NULL;

  switch (call->verb)
    {
    case SERVICE_LOOKUP:
      found = secret_password_lookup_sync (get_schema (), call->cancellable, &error,
                                           "name", call->name, NULL);
      break;
    case SERVICE_STORE:
      secret_password_store_sync (get_schema (), SECRET_COLLECTION_DEFAULT, call->label, call->text,
                                  call->cancellable, &error, "name", call->name, NULL);
      break;
    case SERVICE_CLEAR:
    default:
      secret_password_clear_sync (get_schema (), call->cancellable, &error, "name", call->name, NULL);
      break;
    }

  g_mutex_lock (&call->lock);
  call->found = found;
  call->error = error;
  call->done = TRUE;
  g_cond_broadcast (&call->answered);
  g_mutex_unlock (&call->lock);
  service_call_unref (call);
  return NULL;
}

static void
caller_cancelled_cb (GCancellable *cancellable,
                     ServiceCall  *call)
{
  g_mutex_lock (&call->lock);
  g_cond_broadcast (&call->answered);
  g_mutex_unlock (&call->lock);
}

/* Runs @call and waits for its answer, the caller's @cancellable or the
 * time limit, whichever comes first. A call not waited for any more is
 * cancelled and left to end on its own thread. */
static gboolean
service_run (XiSecretStore  *self,
             ServiceCall    *call,
             GCancellable   *cancellable,
             GError        **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) self->wait_ms * G_TIME_SPAN_MILLISECOND;
  gulong handler = 0;
  gboolean answered;

  if (cancellable != NULL)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (caller_cancelled_cb), call, NULL);
  g_thread_unref (g_thread_new ("xi-secret-service", service_thread, service_call_ref (call)));

  g_mutex_lock (&call->lock);
  while (!call->done && !g_cancellable_is_cancelled (cancellable) &&
         g_cond_wait_until (&call->answered, &call->lock, deadline))
    ;
  answered = call->done;
  g_mutex_unlock (&call->lock);
  g_cancellable_disconnect (cancellable, handler);

  if (answered)
    return call->error == NULL || secret_failed (error, g_steal_pointer (&call->error));
  g_cancellable_cancel (call->cancellable);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_SECRETS_LOCKED,
               _("The keyring did not answer within %u seconds: it may be locked"),
               self->wait_ms / 1000);
  return FALSE;
}

static GBytes *
decode (const char  *text,
        GError     **error)
{
  g_autofree char *copy = g_strstrip (g_strdup (text));
  gsize len = 0;
  guchar *data;

  if (copy[0] == '\0')
    {
      g_set_error_literal (error, XI_STORE_ERROR, XI_STORE_ERROR_SECRETS,
                           _("A stored key is empty or damaged"));
      return NULL;
    }
  data = g_base64_decode (copy, &len);
  return g_bytes_new_take (data, len);
}

static char *
encode (GBytes *secret)
{
  gsize len;
  gconstpointer data = g_bytes_get_data (secret, &len);

  return g_base64_encode (data, len);
}

/* Key files */

static GBytes *
file_lookup (XiSecretStore  *self,
             const char     *name,
             GError        **error)
{
  g_autofree char *path = xi_secret_store_dup_key_file (self, name);
  g_autofree char *text = NULL;
  g_autoptr(GError) local_error = NULL;

  GStatBuf st;

  if (!g_file_get_contents (path, &text, NULL, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return NULL;
      g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_SECRETS,
                   _("Could not read the key file: %s"), local_error->message);
      return NULL;
    }
  /* A copy put back by hand, or by a backup tool, may have come with
   * wider permissions. */
  if (g_stat (path, &st) == 0 && (st.st_mode & 0077) != 0 && g_chmod (path, 0600) != 0)
    g_warning ("Could not make %s private", path);
  return decode (text, error);
}

/* Written whole under a temporary name created with mode 0600, then
 * renamed: never a moment where the key is readable by others, or half
 * written. */
static gboolean
file_save (XiSecretStore  *self,
           const char     *name,
           GBytes         *secret,
           GError        **error)
{
  g_autofree char *path = xi_secret_store_dup_key_file (self, name);
  g_autofree char *text = encode (secret);
  g_autoptr(GError) local_error = NULL;

  if (!g_file_set_contents_full (path, text, -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, &local_error))
    {
      g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_SECRETS,
                   _("Could not write the key file: %s"), local_error->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
file_delete (XiSecretStore  *self,
             const char     *name,
             GError        **error)
{
  g_autofree char *path = xi_secret_store_dup_key_file (self, name);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) local_error = NULL;

  if (!g_file_delete (file, NULL, &local_error) &&
      !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_SECRETS,
                   _("Could not delete the key file: %s"), local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* The worker side of the async calls */

typedef struct
{
  char   *name;
  char   *label;
  GBytes *secret;
} Call;

static void
call_free (Call *call)
{
  g_free (call->name);
  g_free (call->label);
  g_clear_pointer (&call->secret, g_bytes_unref);
  g_free (call);
}

static Call *
call_new (const char *name,
          const char *label,
          GBytes     *secret)
{
  Call *call = g_new0 (Call, 1);

  call->name = g_strdup (name);
  call->label = g_strdup (label);
  call->secret = secret != NULL ? g_bytes_ref (secret) : NULL;
  return call;
}

static void
lookup_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Call *call = task_data;
  GError *error = NULL;
  GBytes *secret = xi_secret_store_lookup_sync (source_object, call->name, cancellable, &error);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, secret, (GDestroyNotify)g_bytes_unref);
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Call *call = task_data;
  GError *error = NULL;

  if (xi_secret_store_save_sync (source_object, call->name, call->label, call->secret,
                                 cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
delete_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Call *call = task_data;
  GError *error = NULL;

  if (xi_secret_store_delete_sync (source_object, call->name, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
run_call (XiSecretStore       *self,
          Call                *call,
          GTaskThreadFunc      func,
          gpointer             source_tag,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, call, (GDestroyNotify)call_free);
  g_task_run_in_thread (task, func);
}

/* GObject */

static void
xi_secret_store_finalize (GObject *object)
{
  XiSecretStore *self = (XiSecretStore *)object;

  g_free (self->database_path);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (xi_secret_store_parent_class)->finalize (object);
}

static void
xi_secret_store_class_init (XiSecretStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = xi_secret_store_finalize;
}

static void
xi_secret_store_init (XiSecretStore *self)
{
  g_mutex_init (&self->lock);
}

/* Public API */

/**
 * xi_secret_store_new:
 * @database_path: the database the secrets belong to; key files go
 *   beside it
 * @backend: where the secrets go
 *
 * Returns: (transfer full): a secret store, usable from any thread
 */
XiSecretStore *
xi_secret_store_new (const char      *database_path,
                     XiSecretBackend  backend)
{
  XiSecretStore *self;
  const char *wait;

  g_return_val_if_fail (database_path != NULL, NULL);

  self = g_object_new (XI_TYPE_SECRET_STORE, NULL);
  self->database_path = g_strdup (database_path);
  self->requested = backend;
  /* Tests shorten the wait; nobody else should. */
  wait = g_getenv ("XI_SECRET_WAIT_MS");
  self->wait_ms = wait != NULL ? CLAMP (g_ascii_strtoull (wait, NULL, 10), 1, SERVICE_WAIT_MS)
                               : SERVICE_WAIT_MS;
  return self;
}

/**
 * xi_secret_store_backend_from_env:
 *
 * Reads `XENDER_IN_SECRETS`: "file" for key files (a machine without a
 * desktop session, and the tests, which must never touch the keyring of
 * whoever runs them), "service" for the Secret Service only, anything
 * else for the automatic choice.
 *
 * Returns: the backend asked for
 */
XiSecretBackend
xi_secret_store_backend_from_env (void)
{
  const char *value = g_getenv ("XENDER_IN_SECRETS");

  if (g_strcmp0 (value, "file") == 0)
    return XI_SECRET_BACKEND_FILE;
  if (g_strcmp0 (value, "service") == 0)
    return XI_SECRET_BACKEND_SERVICE;
  return XI_SECRET_BACKEND_AUTO;
}

/**
 * xi_secret_store_dup_key_file:
 * @self: a #XiSecretStore
 * @name: a secret's name
 *
 * Returns: (transfer full): where @name is kept when there is no Secret
 *   Service
 */
char *
xi_secret_store_dup_key_file (XiSecretStore *self,
                              const char    *name)
{
  g_return_val_if_fail (XI_IS_SECRET_STORE (self), NULL);
  g_return_val_if_fail (name_is_valid (name), NULL);

  return g_strdup_printf ("%s.%s.key", self->database_path, name);
}

/**
 * xi_secret_store_dup_folder_name:
 * @self: a #XiSecretStore
 * @name: a secret's name
 *
 * The name under which this data folder keeps a secret every folder has
 * one of (an account's sign-in): the Secret Service holds one secret per
 * name for the whole desktop session, so two folders (two accounts, or
 * two projects) that used @name itself would overwrite each other's. The
 * suffix is taken from the database's path, so it stays the same for as
 * long as the folder does.
 *
 * Returns: (transfer full): @name with this folder's suffix
 */
char *
xi_secret_store_dup_folder_name (XiSecretStore *self,
                                 const char    *name)
{
  g_autofree char *canonical = NULL;
  g_autofree char *digest = NULL;

  g_return_val_if_fail (XI_IS_SECRET_STORE (self), NULL);
  g_return_val_if_fail (name_is_valid (name), NULL);

  canonical = g_canonicalize_filename (self->database_path, NULL);
  digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, canonical, -1);
  return g_strdup_printf ("%s-%.16s", name, digest);
}

/**
 * xi_secret_store_lookup_sync:
 * @self: a #XiSecretStore
 * @name: letters, digits, '-', '_' and '.' (not first)
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Blocks; never call it on the main thread. A keyring that does not
 * answer in time (it waits to be unlocked) fails the call with
 * %XI_STORE_ERROR_SECRETS_LOCKED, as do the other calls.
 *
 * Returns: (transfer full) (nullable): the secret, or %NULL without an
 *   error when there is none
 */
GBytes *
xi_secret_store_lookup_sync (XiSecretStore  *self,
                             const char     *name,
                             GCancellable   *cancellable,
                             GError        **error)
{
  g_autoptr(ServiceCall) call = NULL;

  g_return_val_if_fail (XI_IS_SECRET_STORE (self), NULL);
  g_return_val_if_fail (name_is_valid (name), NULL);

  if (resolve_backend (self) == XI_SECRET_BACKEND_FILE)
    return file_lookup (self, name, error);

  call = service_call_new (SERVICE_LOOKUP, name, NULL, NULL);
  if (!service_run (self, call, cancellable, error) || call->found == NULL)
    return NULL;
  return decode (call->found, error);
}

/**
 * xi_secret_store_save_sync:
 * @self: a #XiSecretStore
 * @name: the secret's name
 * @label: what the user sees in a keyring manager such as Seahorse
 * @secret: the value, which replaces any under @name
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Blocks; never call it on the main thread.
 *
 * Returns: whether the secret is stored
 */
gboolean
xi_secret_store_save_sync (XiSecretStore  *self,
                           const char     *name,
                           const char     *label,
                           GBytes         *secret,
                           GCancellable   *cancellable,
                           GError        **error)
{
  g_autoptr(ServiceCall) call = NULL;

  g_return_val_if_fail (XI_IS_SECRET_STORE (self), FALSE);
  g_return_val_if_fail (name_is_valid (name), FALSE);
  g_return_val_if_fail (label != NULL && secret != NULL, FALSE);

  if (resolve_backend (self) == XI_SECRET_BACKEND_FILE)
    return file_save (self, name, secret, error);

  call = service_call_new (SERVICE_STORE, name, label, encode (secret));
  return service_run (self, call, cancellable, error);
}

/**
 * xi_secret_store_delete_sync:
 * @self: a #XiSecretStore
 * @name: the secret's name
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Forgets a secret; one that does not exist is not an error. Blocks;
 * never call it on the main thread.
 *
 * Returns: whether no secret is left under @name
 */
gboolean
xi_secret_store_delete_sync (XiSecretStore  *self,
                             const char     *name,
                             GCancellable   *cancellable,
                             GError        **error)
{
  g_autoptr(ServiceCall) call = NULL;

  g_return_val_if_fail (XI_IS_SECRET_STORE (self), FALSE);
  g_return_val_if_fail (name_is_valid (name), FALSE);

  if (resolve_backend (self) == XI_SECRET_BACKEND_FILE)
    return file_delete (self, name, error);

  call = service_call_new (SERVICE_CLEAR, name, NULL, NULL);
  return service_run (self, call, cancellable, error);
}

/**
 * xi_secret_store_lookup_async:
 * @self: a #XiSecretStore
 * @name: the secret's name
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's thread-default main context
 * @user_data: closure
 *
 * xi_secret_store_lookup_sync() on a worker thread.
 */
void
xi_secret_store_lookup_async (XiSecretStore       *self,
                              const char          *name,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (XI_IS_SECRET_STORE (self));
  g_return_if_fail (name_is_valid (name));

  run_call (self, call_new (name, NULL, NULL), lookup_thread, xi_secret_store_lookup_async,
            cancellable, callback, user_data);
}

/**
 * xi_secret_store_lookup_finish:
 *
 * Returns: (transfer full) (nullable): the secret, or %NULL (without an
 *   error when there is none)
 */
GBytes *
xi_secret_store_lookup_finish (XiSecretStore  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * xi_secret_store_save_async:
 * @self: a #XiSecretStore
 * @name: the secret's name
 * @label: what the user sees in a keyring manager
 * @secret: the value
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's thread-default main context
 * @user_data: closure
 *
 * xi_secret_store_save_sync() on a worker thread.
 */
void
xi_secret_store_save_async (XiSecretStore       *self,
                            const char          *name,
                            const char          *label,
                            GBytes              *secret,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (XI_IS_SECRET_STORE (self));
  g_return_if_fail (name_is_valid (name));
  g_return_if_fail (label != NULL && secret != NULL);

  run_call (self, call_new (name, label, secret), save_thread, xi_secret_store_save_async,
            cancellable, callback, user_data);
}

gboolean
xi_secret_store_save_finish (XiSecretStore  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * xi_secret_store_delete_async:
 * @self: a #XiSecretStore
 * @name: the secret's name
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's thread-default main context
 * @user_data: closure
 *
 * xi_secret_store_delete_sync() on a worker thread.
 */
void
xi_secret_store_delete_async (XiSecretStore       *self,
                              const char          *name,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (XI_IS_SECRET_STORE (self));
  g_return_if_fail (name_is_valid (name));

  run_call (self, call_new (name, NULL, NULL), delete_thread, xi_secret_store_delete_async,
            cancellable, callback, user_data);
}

gboolean
xi_secret_store_delete_finish (XiSecretStore  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
