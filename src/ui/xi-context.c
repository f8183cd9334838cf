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
  XiGroupsFacade   *groups;
  XiTemplatesFacade *templates;
  XiCampaignsFacade *campaigns;
  XiAssetsFacade   *assets;
  XiAutoReplyFacade *auto_replies;
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
  g_clear_object (&self->campaigns);
  g_clear_object (&self->assets);
  g_clear_object (&self->auto_replies);
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
  /* A contact lists its groups; groups, templates, campaigns and assets
   * follow the store themselves, in their facades. */
  static const char * const shown[] = { "contacts", "group_members", NULL };

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
  self->groups = xi_groups_facade_new (store);
  self->templates = xi_templates_facade_new (store);
  self->campaigns = xi_campaigns_facade_new (store);
  self->assets = xi_assets_facade_new (store);
  self->auto_replies = xi_auto_reply_facade_new (store);
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
  return xi_facade_get_model (XI_FACADE (self->groups));
}

/**
 * xi_context_get_groups_facade:
 * @self: a #XiContext
 *
 * Returns: (transfer none): the groups' facade, through which pages save
 *   and delete groups and change their members
 */
XiGroupsFacade *
xi_context_get_groups_facade (XiContext *self)
{
  g_return_val_if_fail (XI_IS_CONTEXT (self), NULL);
  return self->groups;
}

GListModel *
xi_context_get_templates (XiContext *self)
{
  g_return_val_if_fail (XI_IS_CONTEXT (self), NULL);
  return xi_facade_get_model (XI_FACADE (self->templates));
}

/**
 * xi_context_get_templates_facade:
 * @self: a #XiContext
 *
 * Returns: (transfer none): the templates' facade, through which pages
 *   save and delete templates
 */
XiTemplatesFacade *
xi_context_get_templates_facade (XiContext *self)
{
  g_return_val_if_fail (XI_IS_CONTEXT (self), NULL);
  return self->templates;
}

/**
 * xi_context_get_assets:
 * @self: a #XiContext
 *
 * Returns: (transfer none): a #GListModel of #XiAsset, the library,
 *   newest first
 */
GListModel *
xi_context_get_assets (XiContext *self)
{
  g_return_val_if_fail (XI_IS_CONTEXT (self), NULL);
  return xi_facade_get_model (XI_FACADE (self->assets));
}

/**
 * xi_context_get_assets_facade:
 * @self: a #XiContext
 *
 * Returns: (transfer none): the asset library's facade, through which
 *   pages add and remove files; its model is the library, newest first
 */
XiAssetsFacade *
xi_context_get_assets_facade (XiContext *self)
{
  g_return_val_if_fail (XI_IS_CONTEXT (self), NULL);
  return self->assets;
}

/**
 * xi_context_get_auto_reply_facade:
 * @self: a #XiContext
 *
 * Returns: (transfer none): the automatic replies' facade, through which
 *   Preferences saves and deletes rules; its model is the rules in the
 *   order they are tried
 */
XiAutoReplyFacade *
xi_context_get_auto_reply_facade (XiContext *self)
{
  g_return_val_if_fail (XI_IS_CONTEXT (self), NULL);
  return self->auto_replies;
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
  return xi_facade_get_model (XI_FACADE (self->campaigns));
}

/**
 * xi_context_get_campaigns:
 * @self: a #XiContext
 *
 * Returns: (transfer none): the campaigns' facade, through which pages
 *   create, command and delete campaigns
 */
XiCampaignsFacade *
xi_context_get_campaigns (XiContext *self)
{
  g_return_val_if_fail (XI_IS_CONTEXT (self), NULL);
  return self->campaigns;
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

static void
job_changed_cb (XiCampaignRunner *runner,
                XiJob            *job,
                XiContext        *self)
{
  xi_facade_take (XI_FACADE (self->campaigns), job);
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
  xi_campaigns_facade_set_runner (self->campaigns, runner);
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
  g_return_val_if_fail (XI_IS_CONTEXT (self), NULL);
  return xi_facade_find (XI_FACADE (self->groups), id);
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
  g_return_val_if_fail (model == G_LIST_MODEL (self->contacts), NULL);
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
 * @model: the contacts model
 * @item: the contact as the store returned it
 *
 * Puts @item into @model at its sorted place, replacing the item with the
 * same id. Widgets showing the old item get the new one. Only the contacts
 * page and its dialogs still patch their model this way; the other
 * domains write through their facades.
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

  g_list_store_insert_sorted (store, item, compare_contacts, NULL);
  g_hash_table_insert (self->contact_index, (gpointer)xi_contact_get_id (item), item);
}

void
xi_context_remove_item (XiContext  *self,
                        GListModel *model,
                        const char *id)
{
  GListStore *store = store_for (self, model);
  guint position;

  g_return_if_fail (store != NULL);

  g_hash_table_remove (self->contact_index, id);
  if (find_by_id (store, id, &position))
    g_list_store_remove (store, position);
}

/* Reload: contacts, groups, templates, campaigns, assets and custom fields,
 * one after the other. Each list goes into its model as soon as it is read:
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

  set_loading (self, FALSE);
  g_signal_emit (self, signals[LOADED], 0, NULL);
  g_task_return_boolean (task, TRUE);
}

/* The facade a reload reads after @done (the first one after %NULL), or
 * %NULL after the last. */
static XiFacade *
next_facade (XiContext *self,
             XiFacade  *done)
{
  XiFacade *order[] = {
    XI_FACADE (self->groups), XI_FACADE (self->templates), XI_FACADE (self->campaigns),
    XI_FACADE (self->assets), XI_FACADE (self->auto_replies),
  };

  if (done == NULL)
    return order[0];
  for (guint i = 0; i + 1 < G_N_ELEMENTS (order); i++)
    if (order[i] == done)
      return order[i + 1];
  return NULL;
}

static void
facade_read_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  XiContext *self = g_task_get_source_object (task);
  XiFacade *next;
  GError *error = NULL;

  if (!xi_facade_reload_finish (XI_FACADE (object), result, &error))
    {
      fail (task, error);
      return;
    }
  next = next_facade (self, XI_FACADE (object));
  if (next != NULL)
    xi_facade_reload_async (next, g_task_get_cancellable (task), facade_read_cb, g_object_ref (task));
  else
    xi_store_list_custom_fields_async (self->store, g_task_get_cancellable (task),
                                       custom_fields_listed_cb, g_object_ref (task));
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

  xi_facade_reload_async (next_facade (self, NULL), g_task_get_cancellable (task), facade_read_cb,
                          g_object_ref (task));
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
