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

/* After the GLib headers, which tell whether the C library is glibc. */
#ifdef __GLIBC__
#include <malloc.h>
#endif

struct _XiContext
{
  GObject           parent_instance;

  XiStore          *store;
  GSettings        *settings;
  XiContactsFacade *contacts;
  XiGroupsFacade   *groups;
  XiTemplatesFacade *templates;
  XiCampaignsFacade *campaigns;
  XiAssetsFacade   *assets;
  XiAutoReplyFacade *auto_replies;
  XiSegmentsFacade *segments;
  XiInboxFacade    *inbox;          /* made when a page first asks */
  XiImageDecoder   *image_decoder;  /* likewise */
  XiCampaignRunner *runner;         /* NULL until the application sets one */
  XiConnection     *connection;     /* likewise */
  XiSyncService    *sync_service;   /* set while an account is signed in */
  XiSyncAccount    *sync_account;   /* the data folder's sync settings */
  char            **custom_fields;
  GCancellable     *cancellable;
  gboolean          loading;
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

static void
xi_context_dispose (GObject *object)
{
  XiContext *self = (XiContext *)object;

  g_cancellable_cancel (self->cancellable);
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
  g_clear_object (&self->contacts);
  g_clear_object (&self->groups);
  g_clear_object (&self->templates);
  g_clear_object (&self->campaigns);
  g_clear_object (&self->assets);
  g_clear_object (&self->auto_replies);
  g_clear_object (&self->segments);
  g_clear_object (&self->inbox);
  g_clear_object (&self->image_decoder);
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
  self->custom_fields = g_new0 (char *, 1);
  self->cancellable = g_cancellable_new ();
  self->loading = TRUE;
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
  self->contacts = xi_contacts_facade_new (store);
  self->groups = xi_groups_facade_new (store);
  self->templates = xi_templates_facade_new (store);
  self->campaigns = xi_campaigns_facade_new (store);
  self->assets = xi_assets_facade_new (store);
  self->auto_replies = xi_auto_reply_facade_new (store);
  self->segments = xi_segments_facade_new (store);
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

/**
 * xi_context_get_contacts:
 * @self: a #XiContext
 *
 * Every contact, in list order, as an #XiContactList: it holds row keys
 * and loads only the contacts a view shows, so its length is cheap and
 * its items may be placeholders until their page arrives. It follows
 * the store.
 *
 * Returns: (transfer none): a #GListModel of #XiContact
 */
GListModel *
xi_context_get_contacts (XiContext *self)
{
  g_return_val_if_fail (XI_IS_CONTEXT (self), NULL);
  return G_LIST_MODEL (xi_contacts_facade_get_all (self->contacts));
}

/**
 * xi_context_get_contacts_facade:
 * @self: a #XiContext
 *
 * Returns: (transfer none): the contacts' facade, through which pages
 *   and dialogs read and write contacts
 */
XiContactsFacade *
xi_context_get_contacts_facade (XiContext *self)
{
  g_return_val_if_fail (XI_IS_CONTEXT (self), NULL);
  return self->contacts;
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
 * xi_context_get_segments_facade:
 * @self: a #XiContext
 *
 * Returns: (transfer none): the saved segments' facade, through which
 *   the filter bar saves and deletes them; its model is the segments as
 *   #XiSegmentItem, by name
 */
XiSegmentsFacade *
xi_context_get_segments_facade (XiContext *self)
{
  g_return_val_if_fail (XI_IS_CONTEXT (self), NULL);
  return self->segments;
}

/**
 * xi_context_get_inbox_facade:
 * @self: a #XiContext
 *
 * The inbox is read and followed only once a window shows it: an app
 * started in the background reads no conversations until then.
 *
 * Returns: (transfer none): the inbox's facade, through which pages mark
 *   conversations read and allow numbers again; its model is the
 *   conversations, newest first, empty until reloaded
 */
XiInboxFacade *
xi_context_get_inbox_facade (XiContext *self)
{
  g_return_val_if_fail (XI_IS_CONTEXT (self), NULL);

  if (self->inbox == NULL)
    self->inbox = xi_inbox_facade_new (self->store);
  return self->inbox;
}

/**
 * xi_context_get_image_decoder:
 * @self: a #XiContext
 *
 * Returns: (transfer none): what decodes the pictures customers send,
 *   one for the app so that they share its queue and its cache
 */
XiImageDecoder *
xi_context_get_image_decoder (XiContext *self)
{
  g_return_val_if_fail (XI_IS_CONTEXT (self), NULL);

  if (self->image_decoder == NULL)
    self->image_decoder = xi_image_decoder_new (NULL);
  return self->image_decoder;
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

/* Reload: the contacts' keys, groups, templates, campaigns, assets,
 * automatic replies and custom fields, one after the other. */

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

#ifdef __GLIBC__
  /* Loading a million contacts' keys and the models leaves about 170 MB
   * of freed heap that glibc keeps for later (bench-app-idle: 414 MB
   * resident at rest, 247 MB after a trim); the app now rests, so it is
   * handed back once. */
  malloc_trim (0);
#endif

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
    XI_FACADE (self->assets), XI_FACADE (self->auto_replies), XI_FACADE (self->segments),
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
contacts_listed_cb (XiContactList *list,
                    GParamSpec    *pspec,
                    GTask         *task)
{
  XiContext *self = g_task_get_source_object (task);

  if (xi_contact_list_get_loading (list))
    return;
  g_signal_handlers_disconnect_by_func (list, contacts_listed_cb, task);
  xi_facade_reload_async (next_facade (self, NULL), g_task_get_cancellable (task), facade_read_cb,
                          task);
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
  XiContactList *list;
  GTask *task;

  g_return_if_fail (XI_IS_CONTEXT (self));

  task = g_task_new (self, cancellable != NULL ? cancellable : self->cancellable, callback, user_data);
  g_task_set_source_tag (task, xi_context_reload_async);

  set_loading (self, TRUE);
  /* Only the keys are read: eight bytes a contact. A listing already
   * under way for a change makes one more after it. */
  list = xi_contacts_facade_get_all (self->contacts);
  xi_contact_list_refresh (list);
  g_signal_connect (list, "notify::loading", G_CALLBACK (contacts_listed_cb), task);
  contacts_listed_cb (list, NULL, task);
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
