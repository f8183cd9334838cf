/* xi-campaigns-facade.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-campaigns-facade"

#include "config.h"

#include "xi-campaigns-facade.h"

/*
 * Campaigns, newest first. While one sends, its row changes with every
 * batch, so a change of one campaign reads that campaign alone. The
 * engine's own progress arrives through the context, which hands it to
 * xi_facade_take (); commands go through the engine when this app runs
 * it, so a pause takes effect before the next message.
 */

struct _XiCampaignsFacade
{
  XiFacade          parent_instance;

  XiCampaignRunner *runner;   /* NULL until the application sets one */
};

G_DEFINE_FINAL_TYPE (XiCampaignsFacade, xi_campaigns_facade, XI_TYPE_FACADE)

static int
compare_jobs (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  int by_time = g_strcmp0 (xi_job_get_created_at ((XiJob *)b), xi_job_get_created_at ((XiJob *)a));

  return by_time != 0 ? by_time : g_strcmp0 (xi_job_get_id ((XiJob *)a), xi_job_get_id ((XiJob *)b));
}

static void
job_read_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GPtrArray) jobs = g_ptr_array_new_with_free_func (g_object_unref);
  GError *error = NULL;
  XiJob *job;

  job = xi_store_get_job_finish (XI_STORE (object), result, &error);
  if (job != NULL)
    g_ptr_array_add (jobs, job);
  else if (g_error_matches (error, XI_STORE_ERROR, XI_STORE_ERROR_NOT_FOUND))
    g_clear_error (&error);   /* deleted: the empty answer removes it */
  else
    {
      g_task_return_error (task, error);
      return;
    }
  xi_facade_return_list (g_steal_pointer (&task), g_steal_pointer (&jobs), NULL);
}

static void
jobs_listed_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GError *error = NULL;
  GPtrArray *jobs = xi_store_list_jobs_finish (XI_STORE (object), result, &error);

  xi_facade_return_list (user_data, jobs, error);
}

static void
xi_campaigns_facade_read_async (XiFacade            *facade,
                                const char * const  *ids,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  XiStore *store = xi_facade_get_store (facade);
  GTask *task = g_task_new (facade, cancellable, callback, user_data);

  g_task_set_source_tag (task, xi_campaigns_facade_read_async);
  if (ids != NULL && ids[0] != NULL && ids[1] == NULL)
    xi_store_get_job_async (store, ids[0], cancellable, job_read_cb, task);
  else
    xi_store_list_jobs_async (store, cancellable, jobs_listed_cb, task);
}

static void
xi_campaigns_facade_dispose (GObject *object)
{
  XiCampaignsFacade *self = (XiCampaignsFacade *)object;

  g_clear_object (&self->runner);

  G_OBJECT_CLASS (xi_campaigns_facade_parent_class)->dispose (object);
}

static void
xi_campaigns_facade_class_init (XiCampaignsFacadeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  XiFacadeClass *facade_class = XI_FACADE_CLASS (klass);

  object_class->dispose = xi_campaigns_facade_dispose;

  facade_class->item_type = XI_TYPE_JOB;
  facade_class->table = "jobs";
  facade_class->read_async = xi_campaigns_facade_read_async;
  facade_class->read_finish = xi_facade_list_finish;
  facade_class->get_id = (const char *(*) (gpointer))xi_job_get_id;
  facade_class->update = (void (*) (gpointer, gpointer))xi_job_update_from;
  facade_class->compare = compare_jobs;
}

static void
xi_campaigns_facade_init (XiCampaignsFacade *self)
{
}

/**
 * xi_campaigns_facade_new:
 * @store: the app's store
 *
 * Returns: (transfer full): the campaigns' facade, empty until reloaded
 */
XiCampaignsFacade *
xi_campaigns_facade_new (XiStore *store)
{
  g_return_val_if_fail (XI_IS_STORE (store), NULL);
  return g_object_new (XI_TYPE_CAMPAIGNS_FACADE, "store", store, NULL);
}

/**
 * xi_campaigns_facade_set_runner:
 * @self: a #XiCampaignsFacade
 * @runner: the engine this app runs
 *
 * From now on commands go through @runner.
 */
void
xi_campaigns_facade_set_runner (XiCampaignsFacade *self,
                                XiCampaignRunner  *runner)
{
  g_return_if_fail (XI_IS_CAMPAIGNS_FACADE (self));
  g_return_if_fail (XI_IS_CAMPAIGN_RUNNER (runner));

  g_set_object (&self->runner, runner);
}

static void
created_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;
  XiJob *job = xi_store_create_job_finish (XI_STORE (object), result, &error);

  xi_facade_return_item (g_task_get_source_object (task), task, job, error);
}

/**
 * xi_campaigns_facade_create_async:
 * @self: a #XiCampaignsFacade
 * @spec: what to send to whom
 * @cancellable: (nullable): a #GCancellable; the campaign is created all
 *   the same once asked for
 * @callback: called once the campaign is stored and in the model
 * @user_data: closure
 *
 * Creates a campaign (see xi_store_create_job_async()).
 */
void
xi_campaigns_facade_create_async (XiCampaignsFacade   *self,
                                  XiJobSpec           *spec,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (XI_IS_CAMPAIGNS_FACADE (self));
  g_return_if_fail (spec != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, xi_campaigns_facade_create_async);
  xi_store_create_job_async (xi_facade_get_store (XI_FACADE (self)), spec, cancellable, created_cb, task);
}

/**
 * xi_campaigns_facade_create_finish:
 *
 * Returns: (transfer full): the campaign, as the model holds it
 */
XiJob *
xi_campaigns_facade_create_finish (XiCampaignsFacade  *self,
                                   GAsyncResult       *result,
                                   GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
commanded_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;
  XiJob *job;

  if (XI_IS_CAMPAIGN_RUNNER (object))
    job = xi_campaign_runner_command_finish (XI_CAMPAIGN_RUNNER (object), result, &error);
  else
    job = xi_store_command_job_finish (XI_STORE (object), result, &error);
  xi_facade_return_item (g_task_get_source_object (task), task, job, error);
}

/**
 * xi_campaigns_facade_command_async:
 * @self: a #XiCampaignsFacade
 * @job_id: the campaign
 * @command: start, pause, resume or cancel
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the campaign after the command
 * @user_data: closure
 *
 * Without an engine here (another process sends from the folder) the
 * command goes to the store, and that engine takes it at its next step.
 */
void
xi_campaigns_facade_command_async (XiCampaignsFacade   *self,
                                   const char          *job_id,
                                   XiJobCommand         command,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (XI_IS_CAMPAIGNS_FACADE (self));
  g_return_if_fail (job_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, xi_campaigns_facade_command_async);
  if (self->runner != NULL)
    xi_campaign_runner_command_async (self->runner, job_id, command, cancellable, commanded_cb, task);
  else
    xi_store_command_job_async (xi_facade_get_store (XI_FACADE (self)), job_id, command, cancellable,
                                commanded_cb, task);
}

/**
 * xi_campaigns_facade_command_finish:
 *
 * Returns: (transfer full): the campaign after the command
 */
XiJob *
xi_campaigns_facade_command_finish (XiCampaignsFacade  *self,
                                    GAsyncResult       *result,
                                    GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * xi_campaigns_facade_delete_async:
 * @self: a #XiCampaignsFacade
 * @job_id: the campaign
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once it is gone from the store and the model
 * @user_data: closure
 *
 * Deletes a campaign that is not sending; one that has not finished is
 * cancelled first, which gives its quota back (see
 * xi_store_delete_job_async()). Refused with %XI_STORE_ERROR_STATE while
 * it sends, or when another computer sends it.
 */
void
xi_campaigns_facade_delete_async (XiCampaignsFacade   *self,
                                  const char          *job_id,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (XI_IS_CAMPAIGNS_FACADE (self));

  xi_facade_delete_async (XI_FACADE (self), (XiFacadeWriteFunc)xi_store_delete_job_async,
                          xi_store_delete_job_finish, job_id, cancellable, callback, user_data);
}

gboolean
xi_campaigns_facade_delete_finish (XiCampaignsFacade  *self,
                                   GAsyncResult       *result,
                                   GError            **error)
{
  return xi_facade_delete_finish (XI_FACADE (self), result, error);
}
