/* xi-context.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-context"

#include "config.h"

#include "xi-context.h"
#include "xi-model-merge.h"

/* A reload of 100,000 contacts takes the store thread a second or two,
 * and a first sync changes rows page after page: reloads for sync wait
 * twice as long as the last one took (a second at least), so they never
 * take more than a third of the store's time from the pages they show. */
#define FOLLOW_MIN_PAUSE_MS 1000

struct _XiContext
{
  GObject           parent_instance;

  XiStore          *store;
  GSettings        *settings;
  GListStore       *contacts;       /* sorted by name, then phone */
  GListStore       *groups;         /* sorted by name */
  GListStore       *templates;      /* sorted by name */
  GListStore       *jobs;           /* XiJob, newest first */
  XiCampaignRunner *runner;         /* NULL until the application sets one */
  XiConnection     *connection;     /* likewise */
  XiSyncService    *sync_service;   /* set while an account is signed in */
  XiSyncAccount    *sync_account;   /* the data folder's sync settings */
  GHashTable       *contact_index;  /* id -> XiContact, borrowed from @contacts */
  char            **custom_fields;
  GCancellable     *cancellable;
  gboolean          loading;
  gboolean          following;      /* a reload for rows changed by sync runs */
  gboolean          follow_again;   /* and more changed while it ran */
  gint64            follow_started; /* monotonic µs, of the reload running */
  gint64            follow_after;   /* monotonic µs before which none starts */
  guint             follow_id;      /* the pause before the next one */
  char             *engine_elsewhere; /* who sends instead of this app, or NULL */
};

G_DEFINE_FINAL_TYPE (XiContext, xi_context, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_LOADING,
  PROP_RUNNER,
  PROP_CONNECTION,
  PROP_ENGINE_ELSEWHERE,
  PROP_SYNC_SERVICE,
  N_PROPS
};

enum {
  LOADED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static int
compare_contacts (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  return xi_contact_compare ((XiContact *)a, (XiContact *)b);
}

static int
compare_contacts_ptr (gconstpointer a,
                      gconstpointer b,
                      gpointer      user_data)
{
  return compare_contacts (*(gpointer *)a, *(gpointer *)b, user_data);
}

static int
compare_named (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  g_autofree char *x = NULL;
  g_autofree char *y = NULL;

  g_object_get ((gpointer)a, "name", &x, NULL);
  g_object_get ((gpointer)b, "name", &y, NULL);
  return g_utf8_collate (x != NULL ? x : "", y != NULL ? y : "");
}

static void
xi_context_dispose (GObject *object)
{
  XiContext *self = (XiContext *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->follow_id, g_source_remove);
  if (self->runner != NULL)
    g_signal_handlers_disconnect_by_data (self->runner, self);
  g_clear_object (&self->runner);
  g_clear_object (&self->connection);
  g_clear_object (&self->sync_service);
  g_clear_object (&self->sync_account);

  G_OBJECT_CLASS (xi_context_parent_class)->dispose (object);
}

static void
xi_context_finalize (GObject *object)
{
  XiContext *self = (XiContext *)object;

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->contact_index, g_hash_table_unref);
  g_clear_object (&self->contacts);
  g_clear_object (&self->groups);
  g_clear_object (&self->templates);
  g_clear_object (&self->jobs);
  g_clear_object (&self->settings);
  g_clear_object (&self->store);
  g_strfreev (self->custom_fields);
  g_free (self->engine_elsewhere);

  G_OBJECT_CLASS (xi_context_parent_class)->finalize (object);
}

static void
xi_context_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  XiContext *self = XI_CONTEXT (object);

  switch (prop_id)
    {
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    case PROP_RUNNER:
      g_value_set_object (value, self->runner);
      break;
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    case PROP_ENGINE_ELSEWHERE:
      g_value_set_string (value, self->engine_elsewhere);
      break;
    case PROP_SYNC_SERVICE:
      g_value_set_object (value, self->sync_service);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
xi_context_class_init (XiContextClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = xi_context_dispose;
  object_class->finalize = xi_context_finalize;
  object_class->get_property = xi_context_get_property;

  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, TRUE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /* Pages exist before the store opens, the runner only after. */
  properties[PROP_RUNNER] =
    g_param_spec_object ("runner", NULL, NULL, XI_TYPE_CAMPAIGN_RUNNER,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /* The WhatsApp connection runs on the runner's network thread: it comes
   * after the runner, and not at all when the runner could not start. */
  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, XI_TYPE_CONNECTION,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /* Another process runs this folder's engine: a sentence that says
   * who, shown until this app runs the engine itself. */
  properties[PROP_ENGINE_ELSEWHERE] =
    g_param_spec_string ("engine-elsewhere", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /* The sync thread of the signed-in account; it starts once the store
   * has opened, and there is none while nobody is signed in. */
  properties[PROP_SYNC_SERVICE] =
    g_param_spec_object ("sync-service", NULL, NULL, XI_TYPE_SYNC_SERVICE,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * XiContext::loaded:
   * @error: (nullable): why loading failed
   *
   * Emitted when a reload finished.
   */
  signals[LOADED] = g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
xi_context_init (XiContext *self)
{
  self->contacts = g_list_store_new (XI_TYPE_CONTACT);
  self->groups = g_list_store_new (XI_TYPE_GROUP);
  self->templates = g_list_store_new (XI_TYPE_TEMPLATE);
  self->jobs = g_list_store_new (XI_TYPE_JOB);
  self->contact_index = g_hash_table_new (g_str_hash, g_str_equal);
  self->custom_fields = g_new0 (char *, 1);
  self->cancellable = g_cancellable_new ();
  self->loading = TRUE;
}

static void follow_sync (XiContext *self);

static gboolean
follow_again_cb (gpointer user_data)
{
  XiContext *self = user_data;

  self->follow_id = 0;
  follow_sync (self);
  return G_SOURCE_REMOVE;
}

static void
followed_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  XiContext *self = XI_CONTEXT (object);
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_monotonic_time ();

  if (!xi_context_reload_finish (self, result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->following = FALSE;
  self->follow_after = now + MAX (FOLLOW_MIN_PAUSE_MS * 1000, 2 * (now - self->follow_started));
  if (self->follow_again)
    {
      self->follow_again = FALSE;
      follow_sync (self);
    }
}

/* Rows the shared models show changed under them, pulled from another
 * device: the models are read again, one reload at a time however many
 * pages arrive meanwhile, spaced as above. */
static void
follow_sync (XiContext *self)
{
  gint64 wait = self->follow_after - g_get_monotonic_time ();

  if (self->following)
    {
      self->follow_again = TRUE;
      return;
    }
  if (self->follow_id != 0)
    return;
  if (wait > 0)
    {
      self->follow_id = g_timeout_add ((guint) (wait / 1000) + 1, follow_again_cb, self);
      return;
    }
  self->following = TRUE;
  self->follow_started = g_get_monotonic_time ();
  xi_context_reload_async (self, NULL, followed_cb, NULL);
}

static void
store_changed_cb (XiStore            *store,
                  const char         *table,
                  const char * const *ids,
                  XiContext          *self)
{
  static const char * const shown[] = { "contacts", "groups", "group_members", "templates", NULL };

  if (g_strv_contains (shown, table))
    follow_sync (self);
}

/**
 * xi_context_new:
 * @store: the opened (or opening) store
 * @settings: the application settings
 *
 * Returns: (transfer full): a new #XiContext
 */
XiContext *
xi_context_new (XiStore   *store,
                GSettings *settings)
{
  XiContext *self;

  g_return_val_if_fail (XI_IS_STORE (store), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (XI_TYPE_CONTEXT, NULL);
  self->store = g_object_ref (store);
  self->settings = g_object_ref (settings);
  g_signal_connect_object (store, "changed", G_CALLBACK (store_changed_cb), self, 0);
  return self;
}

XiStore *
xi_context_get_store (XiContext *self)
{
  g_return_val_if_fail (XI_IS_CONTEXT (self), NULL);
  return self->store;
}

GSettings *
xi_context_get_settings (XiContext *self)
{
  g_return_val_if_fail (XI_IS_CONTEXT (self), NULL);
  return self->settings;
}

GListModel *
xi_context_get_contacts (XiContext *self)
{
  g_return_val_if_fail (XI_IS_CONTEXT (self), NULL);
  return G_LIST_MODEL (self->contacts);
}

GListModel *
xi_context_get_groups (XiContext *self)
{
  g_return_val_if_fail (XI_IS_CONTEXT (self), NULL);
  return G_LIST_MODEL (self->groups);
}

GListModel *
xi_context_get_templates (XiContext *self)
{
  g_return_val_if_fail (XI_IS_CONTEXT (self), NULL);
  return G_LIST_MODEL (self->templates);
}

/**
 * xi_context_get_jobs:
 * @self: a #XiContext
 *
 * Every campaign, newest first. An item stays the same object for the
 * life of the context: changes arrive through xi_job_update_from(), so
 * widgets can follow its notifications.
 *
 * Returns: (transfer none): a #GListModel of #XiJob
 */
GListModel *
xi_context_get_jobs (XiContext *self)
{
  g_return_val_if_fail (XI_IS_CONTEXT (self), NULL);
  return G_LIST_MODEL (self->jobs);
}

/**
 * xi_context_get_runner:
 * @self: a #XiContext
 *
 * Returns: (transfer none) (nullable): the campaign engine, or %NULL
 *   when none runs (in tests of pages that do not send)
 */
XiCampaignRunner *
xi_context_get_runner (XiContext *self)
{
  g_return_val_if_fail (XI_IS_CONTEXT (self), NULL);
  return self->runner;
}

static gboolean
find_job (XiContext   *self,
          const char  *id,
          XiJob      **job,
          guint       *position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->jobs));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(XiJob) item = g_list_model_get_item (G_LIST_MODEL (self->jobs), i);

      if (g_strcmp0 (xi_job_get_id (item), id) == 0)
        {
          if (job != NULL)
            *job = item;   /* still owned by the model */
          if (position != NULL)
            *position = i;
          return TRUE;
        }
    }
  return FALSE;
}

/**
 * xi_context_upsert_job:
 * @self: a #XiContext
 * @job: a campaign as the store or the runner returned it
 *
 * Updates the campaign with the same id in place, or puts @job at the
 * front of the jobs model: a campaign nobody has seen yet is the newest.
 */
void
xi_context_upsert_job (XiContext *self,
                       XiJob     *job)
{
  XiJob *known = NULL;

  g_return_if_fail (XI_IS_CONTEXT (self));
  g_return_if_fail (XI_IS_JOB (job));

  if (find_job (self, xi_job_get_id (job), &known, NULL))
    {
      if (known != job)
        xi_job_update_from (known, job);
    }
  else
    g_list_store_insert (self->jobs, 0, job);
}

static void
job_changed_cb (XiCampaignRunner *runner,
                XiJob            *job,
                XiContext        *self)
{
  xi_context_upsert_job (self, job);
}

/**
 * xi_context_set_runner:
 * @self: a #XiContext
 * @runner: the started campaign engine
 *
 * Set once, by the application, after the store has opened.
 */
void
xi_context_set_runner (XiContext        *self,
                       XiCampaignRunner *runner)
{
  g_return_if_fail (XI_IS_CONTEXT (self));
  g_return_if_fail (XI_IS_CAMPAIGN_RUNNER (runner));
  g_return_if_fail (self->runner == NULL);

  self->runner = g_object_ref (runner);
  g_signal_connect (runner, "job-changed", G_CALLBACK (job_changed_cb), self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNER]);
}

/**
 * xi_context_get_sync_service:
 * @self: a #XiContext
 *
 * Returns: (transfer none) (nullable): the sync service of the signed-in
 *   account, or %NULL while nobody is signed in
 */
XiSyncService *
xi_context_get_sync_service (XiContext *self)
{
  g_return_val_if_fail (XI_IS_CONTEXT (self), NULL);
  return self->sync_service;
}

/**
 * xi_context_set_sync_service:
 * @self: a #XiContext
 * @service: (nullable): the started sync service, or %NULL once stopped
 *
 * Set by the application, which owns the service.
 */
void
xi_context_set_sync_service (XiContext     *self,
                             XiSyncService *service)
{
  g_return_if_fail (XI_IS_CONTEXT (self));
  g_return_if_fail (service == NULL || XI_IS_SYNC_SERVICE (service));

  if (g_set_object (&self->sync_service, service))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNC_SERVICE]);
}

/**
 * xi_context_get_sync_account:
 * @self: a #XiContext
 *
 * Returns: (transfer none) (nullable): which project the data folder
 *   syncs with and who is signed in, or %NULL where the caller gave none
 *   (tests of single pages)
 */
XiSyncAccount *
xi_context_get_sync_account (XiContext *self)
{
  g_return_val_if_fail (XI_IS_CONTEXT (self), NULL);
  return self->sync_account;
}

/**
 * xi_context_set_sync_account:
 * @self: a #XiContext
 * @account: the data folder's sync settings
 *
 * Set once by the application, with the context.
 */
void
xi_context_set_sync_account (XiContext     *self,
                             XiSyncAccount *account)
{
  g_return_if_fail (XI_IS_CONTEXT (self));
  g_return_if_fail (XI_IS_SYNC_ACCOUNT (account));

  g_set_object (&self->sync_account, account);
}

/**
 * xi_context_get_connection:
 * @self: a #XiContext
 *
 * Returns: (transfer none) (nullable): the WhatsApp connection, or %NULL
 *   before the application has made one
 */
XiConnection *
xi_context_get_connection (XiContext *self)
{
  g_return_val_if_fail (XI_IS_CONTEXT (self), NULL);
  return self->connection;
}

/**
 * xi_context_set_connection:
 * @self: a #XiContext
 * @connection: the WhatsApp connection
 *
 * Set once, by the application, after the campaign runner started.
 */
void
xi_context_set_connection (XiContext    *self,
                           XiConnection *connection)
{
  g_return_if_fail (XI_IS_CONTEXT (self));
  g_return_if_fail (XI_IS_CONNECTION (connection));
  g_return_if_fail (self->connection == NULL);

  self->connection = g_object_ref (connection);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION]);
}

XiContact *
xi_context_find_contact (XiContext  *self,
                         const char *id)
{
  g_return_val_if_fail (XI_IS_CONTEXT (self), NULL);
  return id != NULL ? g_hash_table_lookup (self->contact_index, id) : NULL;
}

XiGroup *
xi_context_find_group (XiContext  *self,
                       const char *id)
{
  guint n;

  g_return_val_if_fail (XI_IS_CONTEXT (self), NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->groups));
  for (guint i = 0; i < n && id != NULL; i++)
    {
      g_autoptr(XiGroup) group = g_list_model_get_item (G_LIST_MODEL (self->groups), i);

      if (g_strcmp0 (xi_group_get_id (group), id) == 0)
        return group;   /* still owned by the model */
    }
  return NULL;
}

gboolean
xi_context_get_loading (XiContext *self)
{
  g_return_val_if_fail (XI_IS_CONTEXT (self), FALSE);
  return self->loading;
}

/**
 * xi_context_dup_country_code:
 * @self: a #XiContext
 *
 * Returns: (transfer full): the calling code for numbers in national form
 */
char *
xi_context_dup_country_code (XiContext *self)
{
  g_return_val_if_fail (XI_IS_CONTEXT (self), NULL);
  return g_settings_get_string (self->settings, "default-country-code");
}

const char * const *
xi_context_get_custom_fields (XiContext *self)
{
  g_return_val_if_fail (XI_IS_CONTEXT (self), NULL);
  return (const char * const *)self->custom_fields;
}

/**
 * xi_context_add_custom_fields:
 * @self: a #XiContext
 * @names: field names a saved contact now has
 *
 * Keeps the variables templates may use in step without a reload.
 */
void
xi_context_add_custom_fields (XiContext          *self,
                              const char * const *names)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  gboolean changed = FALSE;

  g_return_if_fail (XI_IS_CONTEXT (self));

  g_strv_builder_addv (builder, (const char **)self->custom_fields);
  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    if (!g_strv_contains ((const char * const *)self->custom_fields, names[i]))
      {
        g_strv_builder_add (builder, names[i]);
        changed = TRUE;
      }

  if (changed)
    {
      g_strfreev (self->custom_fields);
      self->custom_fields = g_strv_builder_end (builder);
    }
}

static GListStore *
store_for (XiContext  *self,
           GListModel *model)
{
  g_return_val_if_fail (model == G_LIST_MODEL (self->contacts) ||
                        model == G_LIST_MODEL (self->groups) ||
                        model == G_LIST_MODEL (self->templates), NULL);
  return G_LIST_STORE (model);
}

static gboolean
find_by_id (GListStore *store,
            const char *id,
            guint      *position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (store));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (G_LIST_MODEL (store), i);
      g_autofree char *item_id = NULL;

      g_object_get (item, "id", &item_id, NULL);
      if (g_strcmp0 (item_id, id) == 0)
        {
          *position = i;
          return TRUE;
        }
    }
  return FALSE;
}

/**
 * xi_context_upsert_item:
 * @self: a #XiContext
 * @model: one of the context's models
 * @item: the item as the store returned it
 *
 * Puts @item into @model at its sorted place, replacing the item with the
 * same id. Widgets showing the old item get the new one.
 */
void
xi_context_upsert_item (XiContext  *self,
                        GListModel *model,
                        gpointer    item)
{
  GListStore *store = store_for (self, model);
  g_autofree char *id = NULL;
  guint position;

  g_return_if_fail (store != NULL);

  g_object_get (item, "id", &id, NULL);
  if (find_by_id (store, id, &position))
    g_list_store_remove (store, position);

  if (XI_IS_CONTACT (item))
    {
      g_list_store_insert_sorted (store, item, compare_contacts, NULL);
      g_hash_table_insert (self->contact_index, (gpointer)xi_contact_get_id (item), item);
    }
  else
    g_list_store_insert_sorted (store, item, compare_named, NULL);
}

void
xi_context_remove_item (XiContext  *self,
                        GListModel *model,
                        const char *id)
{
  GListStore *store = store_for (self, model);
  guint position;

  g_return_if_fail (store != NULL);

  if (model == G_LIST_MODEL (self->contacts))
    g_hash_table_remove (self->contact_index, id);
  if (find_by_id (store, id, &position))
    g_list_store_remove (store, position);
}

/* Reload: contacts, groups, templates, custom fields and campaigns, one
 * after the other. Each list goes into its model as soon as it is read:
 * a write queued after the read reaches the main loop after it, so what
 * a page patched in after its own write is never overwritten by a list
 * read before that write. */

static void
set_loading (XiContext *self,
             gboolean   loading)
{
  if (self->loading == loading)
    return;
  self->loading = loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
fail (GTask  *task,
      GError *error)
{
  XiContext *self = g_task_get_source_object (task);

  set_loading (self, FALSE);
  g_signal_emit (self, signals[LOADED], 0, error);
  g_task_return_error (task, error);
}

/* Keeps the job objects widgets already hold: a known campaign is
 * updated in place, and one the runner announced while the list was
 * being read stays at the front. */
static void
merge_jobs (XiContext *self,
            GPtrArray *loaded)
{
  g_autoptr(GPtrArray) merged = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) loaded_ids = g_hash_table_new (g_str_hash, g_str_equal);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->jobs));

  for (guint i = 0; i < loaded->len; i++)
    g_hash_table_add (loaded_ids, (gpointer)xi_job_get_id (g_ptr_array_index (loaded, i)));

  for (guint i = 0; i < n; i++)
    {
      XiJob *item = g_list_model_get_item (G_LIST_MODEL (self->jobs), i);

      if (g_hash_table_contains (loaded_ids, xi_job_get_id (item)))
        g_object_unref (item);
      else
        g_ptr_array_add (merged, item);
    }

  for (guint i = 0; i < loaded->len; i++)
    {
      XiJob *job = g_ptr_array_index (loaded, i);
      XiJob *known = NULL;

      if (find_job (self, xi_job_get_id (job), &known, NULL))
        {
          xi_job_update_from (known, job);
          g_ptr_array_add (merged, g_object_ref (known));
        }
      else
        g_ptr_array_add (merged, g_object_ref (job));
    }

  g_list_store_splice (self->jobs, 0, n, merged->pdata, merged->len);
}

static void
jobs_listed_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  XiContext *self = g_task_get_source_object (task);
  g_autoptr(GPtrArray) jobs = NULL;
  GError *error = NULL;

  if ((jobs = xi_store_list_jobs_finish (XI_STORE (object), result, &error)) == NULL)
    {
      fail (task, error);
      return;
    }
  merge_jobs (self, jobs);

  set_loading (self, FALSE);
  g_signal_emit (self, signals[LOADED], 0, NULL);
  g_task_return_boolean (task, TRUE);
}

static void
custom_fields_listed_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  XiContext *self = g_task_get_source_object (task);
  char **custom_fields;
  GError *error = NULL;

  if ((custom_fields = xi_store_list_custom_fields_finish (XI_STORE (object), result, &error)) == NULL)
    {
      fail (task, error);
      return;
    }
  g_strfreev (self->custom_fields);
  self->custom_fields = custom_fields;
  xi_store_list_jobs_async (XI_STORE (object), g_task_get_cancellable (task),
                            jobs_listed_cb, g_object_ref (task));
}

static void
templates_listed_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  XiContext *self = g_task_get_source_object (task);
  g_autoptr(GPtrArray) templates = NULL;
  GError *error = NULL;

  if ((templates = xi_store_list_templates_finish (XI_STORE (object), result, &error)) == NULL)
    {
      fail (task, error);
      return;
    }
  xi_model_merge (self->templates, templates, (XiModelIdFunc)xi_template_get_id,
                  (XiModelUpdateFunc)xi_template_update_from);
  xi_store_list_custom_fields_async (XI_STORE (object), g_task_get_cancellable (task),
                                     custom_fields_listed_cb, g_object_ref (task));
}

static void
groups_listed_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  XiContext *self = g_task_get_source_object (task);
  g_autoptr(GPtrArray) groups = NULL;
  GError *error = NULL;

  if ((groups = xi_store_list_groups_finish (XI_STORE (object), result, &error)) == NULL)
    {
      fail (task, error);
      return;
    }
  xi_model_merge (self->groups, groups, (XiModelIdFunc)xi_group_get_id,
                  (XiModelUpdateFunc)xi_group_update_from);
  xi_store_list_templates_async (XI_STORE (object), g_task_get_cancellable (task),
                                 templates_listed_cb, g_object_ref (task));
}

static void
contacts_listed_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  XiContext *self = g_task_get_source_object (task);
  g_autoptr(GPtrArray) contacts = NULL;
  GListModel *model = G_LIST_MODEL (self->contacts);
  GError *error = NULL;

  if ((contacts = xi_store_list_contacts_finish (XI_STORE (object), result, &error)) == NULL)
    {
      fail (task, error);
      return;
    }

  /* The store sorts with SQLite's ASCII-only NOCASE; sort again the way
   * new contacts are inserted, so the list keeps one order. */
  g_ptr_array_sort_with_data (contacts, compare_contacts_ptr, NULL);
  xi_model_merge (self->contacts, contacts, (XiModelIdFunc)xi_contact_get_id,
                  (XiModelUpdateFunc)xi_contact_update_from);
  g_hash_table_remove_all (self->contact_index);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(XiContact) contact = g_list_model_get_item (model, i);

      g_hash_table_insert (self->contact_index, (gpointer)xi_contact_get_id (contact), contact);
    }

  xi_store_list_groups_async (XI_STORE (object), g_task_get_cancellable (task),
                              groups_listed_cb, g_object_ref (task));
}

/**
 * xi_context_reload_async:
 * @self: a #XiContext
 * @cancellable: (nullable): a #GCancellable
 * @callback: (nullable): called when the models are filled
 * @user_data: closure
 *
 * Loads everything from the store into the shared models, replacing what
 * they held. The "loaded" signal tells every page when it is done.
 */
void
xi_context_reload_async (XiContext           *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (XI_IS_CONTEXT (self));

  task = g_task_new (self, cancellable != NULL ? cancellable : self->cancellable, callback, user_data);
  g_task_set_source_tag (task, xi_context_reload_async);

  set_loading (self, TRUE);
  xi_store_list_contacts_async (self->store, g_task_get_cancellable (task), contacts_listed_cb, task);
}

gboolean
xi_context_reload_finish (XiContext     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * xi_context_get_engine_elsewhere:
 * @self: a #XiContext
 *
 * Returns: (nullable): a sentence that says which other process sends
 *   from this data folder, or %NULL when this app runs the engine
 */
const char *
xi_context_get_engine_elsewhere (XiContext *self)
{
  g_return_val_if_fail (XI_IS_CONTEXT (self), NULL);
  return self->engine_elsewhere;
}

/**
 * xi_context_set_engine_elsewhere:
 * @self: a #XiContext
 * @sentence: (nullable): who sends instead of this app; %NULL once this
 *   app runs the engine
 *
 * Set by the application while another process holds the engine lock.
 */
void
xi_context_set_engine_elsewhere (XiContext  *self,
                                 const char *sentence)
{
  g_return_if_fail (XI_IS_CONTEXT (self));

  if (g_strcmp0 (self->engine_elsewhere, sentence) == 0)
    return;
  g_free (self->engine_elsewhere);
  self->engine_elsewhere = g_strdup (sentence);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENGINE_ELSEWHERE]);
}
