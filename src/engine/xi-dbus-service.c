/* xi-dbus-service.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "xi-dbus-generated.h"
#include "xi-dbus-service.h"
#include "xi-incoming.h"
#include "xi-job.h"
#include "xi-limits.h"
#include "xi-phone.h"

/* The engine as io.github.xenderin.XenderIn1 on the session bus. It
 * answers from the store and hands campaign commands to the runner, the
 * same paths the window takes, so a script and the window never
 * disagree. Lives on the main thread, like the runner it wraps. */
struct _XiDbusService
{
  GObject           parent_instance;

  XiStore          *store;
  XiCampaignRunner *runner;     /* NULL while another process sends */
  XiConnection     *connection; /* NULL while WhatsApp is not running */
  XiDbusXenderIn1  *skeleton;
  GCancellable     *cancellable;
  GThread          *owner;
  /* Ids of the campaigns whose last state change made them processing:
   * until one does, nothing is being sent. Progress does not count: a
   * coalesced one may be published after the change that ended it. */
  GHashTable       *processing;

  /* What StatusChanged said last, so it is sent on changes only. */
  char             *last_connection;
  gboolean          last_sending;
  /* The status the last Error was about, so each is said once. */
  XiConnectionStatus last_error_status;
};

G_DEFINE_FINAL_TYPE (XiDbusService, xi_dbus_service, G_TYPE_OBJECT)

#define ERROR_ENGINE_ELSEWHERE "io.github.xenderin.XenderIn1.Error.EngineElsewhere"
#define ERROR_FAILED           "io.github.xenderin.XenderIn1.Error.Failed"
#define ERROR_UNAVAILABLE      "io.github.xenderin.XenderIn1.Error.Unavailable"
#define ERROR_INVALID_ARGS     "io.github.xenderin.XenderIn1.Error.InvalidArgs"

/* Auxiliary methods */

static void
assert_owner (XiDbusService *self)
{
  g_assert (self->owner == g_thread_self ());
}

static const char *
connection_word (XiDbusService *self)
{
  g_autoptr(GEnumClass) klass = NULL;
  GEnumValue *value;

  if (self->connection == NULL)
    return "unavailable";
  klass = g_type_class_ref (XI_TYPE_CONNECTION_STATUS);
  value = g_enum_get_value (klass, xi_connection_get_status (self->connection));
  return value != NULL ? value->value_nick : "unavailable";
}

static gboolean
is_sending (XiDbusService *self)
{
  return g_hash_table_size (self->processing) > 0;
}

static void
track_state (XiDbusService *self,
             const char    *job_id,
             XiJobState     state)
{
  if (state == XI_JOB_STATE_PROCESSING)
    g_hash_table_add (self->processing, g_strdup (job_id));
  else
    g_hash_table_remove (self->processing, job_id);
}

static void
publish_status (XiDbusService *self)
{
  const char *connection = connection_word (self);
  gboolean sending = is_sending (self);

  if (g_strcmp0 (connection, self->last_connection) == 0 && sending == self->last_sending)
    return;
  g_free (self->last_connection);
  self->last_connection = g_strdup (connection);
  self->last_sending = sending;
  xi_dbus_xender_in1_emit_status_changed (self->skeleton, connection, sending);
}

/* The statuses that stop sending until the user acts (or the ban ends)
 * are an Error too, so a script that only watches errors notices. */
static gboolean
status_is_error (XiConnectionStatus status)
{
  switch (status)
    {
    case XI_CONNECTION_STATUS_LOGGED_OUT:
    case XI_CONNECTION_STATUS_REPLACED:
    case XI_CONNECTION_STATUS_FAILED:
    case XI_CONNECTION_STATUS_BANNED:
    case XI_CONNECTION_STATUS_TEMPORARILY_BANNED:
    case XI_CONNECTION_STATUS_OUTDATED:
      return TRUE;
    case XI_CONNECTION_STATUS_STARTING:
    case XI_CONNECTION_STATUS_NOT_LINKED:
    case XI_CONNECTION_STATUS_LINKING:
    case XI_CONNECTION_STATUS_LINK_EXPIRED:
    case XI_CONNECTION_STATUS_CONNECTING:
    case XI_CONNECTION_STATUS_CONNECTED:
    case XI_CONNECTION_STATUS_RECONNECTING:
    case XI_CONNECTION_STATUS_NO_NETWORK:
    default:
      return FALSE;
    }
}

/* A method that needs WhatsApp answers why it cannot, and %FALSE. */
static gboolean
require_connection (XiDbusService         *self,
                    GDBusMethodInvocation *invocation)
{
  if (self->runner == NULL)
    g_dbus_method_invocation_return_dbus_error (invocation, ERROR_ENGINE_ELSEWHERE,
                                                _("The campaign engine is not running in this Xender-In."));
  else if (self->connection == NULL)
    g_dbus_method_invocation_return_dbus_error (invocation, ERROR_UNAVAILABLE,
                                                _("WhatsApp cannot start in this Xender-In."));
  else
    return TRUE;
  return FALSE;
}

/* Callbacks */

static void
connection_status_cb (XiDbusService *self)
{
  XiConnectionStatus status = xi_connection_get_status (self->connection);
  const char *reason = xi_connection_get_reason (self->connection);

  publish_status (self);
  if (status_is_error (status) && status != self->last_error_status)
    xi_dbus_xender_in1_emit_error (self->skeleton, connection_word (self), reason != NULL ? reason : "");
  self->last_error_status = status;
}

static void
connection_qr_cb (XiDbusService *self)
{
  const char *code = xi_connection_get_qr (self->connection);

  if (code != NULL)
    xi_dbus_xender_in1_emit_qr_code (self->skeleton, code);
}

/* Only ids leave the app: the text stays in the inbox, and the sender's
 * number is the contact the caller can look up in its own data. */
static void
runner_incoming_cb (XiDbusService *self,
                    XiIncoming    *incoming)
{
  const char *contact = xi_incoming_get_contact_id (incoming);
  const char *keyword = xi_incoming_get_opt_out_keyword (incoming);
  const char *job = xi_incoming_get_job_id (incoming);

  xi_dbus_xender_in1_emit_message_received (self->skeleton, xi_incoming_get_id (incoming),
                                            contact != NULL ? contact : "", job != NULL ? job : "");
  if (keyword != NULL)
    xi_dbus_xender_in1_emit_unsubscribe_detected (self->skeleton, contact != NULL ? contact : "", keyword);
}

static void
runner_disk_full_cb (XiDbusService *self)
{
  xi_dbus_xender_in1_emit_error (self->skeleton, "disk-full",
                                 _("The disk is full: sending stopped. Free some space, then resume the "
                                   "campaign."));
}

static void
message_sent_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GDBusMethodInvocation) invocation = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = xi_connection_send_text_finish (XI_CONNECTION (object), result, &error);
  XiDbusService *self;

  if (id == NULL)
    {
      g_dbus_method_invocation_return_dbus_error (invocation, ERROR_FAILED, error->message);
      return;
    }
  /* The service outlives its connection's calls only while exported. */
  self = g_object_get_data (G_OBJECT (invocation), "xi-dbus-service");
  xi_dbus_xender_in1_emit_message_sent (self->skeleton, id);
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(s)", id));
}

static gboolean
handle_connect_cb (XiDbusService         *self,
                   GDBusMethodInvocation *invocation)
{
  assert_owner (self);

  if (!require_connection (self, invocation))
    return G_DBUS_METHOD_INVOCATION_HANDLED;
  xi_connection_link (self->connection);
  xi_dbus_xender_in1_complete_connect (self->skeleton, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
unlinked_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GDBusMethodInvocation) invocation = user_data;
  g_autoptr(GError) error = NULL;

  if (!xi_connection_unlink_finish (XI_CONNECTION (object), result, NULL, &error))
    g_dbus_method_invocation_return_dbus_error (invocation, ERROR_FAILED, error->message);
  else
    g_dbus_method_invocation_return_value (invocation, NULL);
}

static gboolean
handle_disconnect_cb (XiDbusService         *self,
                      GDBusMethodInvocation *invocation)
{
  XiConnectionStatus status;

  assert_owner (self);

  if (!require_connection (self, invocation))
    return G_DBUS_METHOD_INVOCATION_HANDLED;
  status = xi_connection_get_status (self->connection);
  if (status == XI_CONNECTION_STATUS_LINKING || status == XI_CONNECTION_STATUS_LINK_EXPIRED)
    {
      xi_connection_cancel_link (self->connection);
      xi_dbus_xender_in1_complete_disconnect (self->skeleton, invocation);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  xi_connection_unlink_async (self->connection, self->cancellable, unlinked_cb, g_object_ref (invocation));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_send_message_cb (XiDbusService         *self,
                        GDBusMethodInvocation *invocation,
                        const char            *number,
                        const char            *text)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *phone = NULL;
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  assert_owner (self);

  if (!require_connection (self, invocation))
    return G_DBUS_METHOD_INVOCATION_HANDLED;
  /* No default country: a script's number means the same everywhere. */
  if ((phone = xi_phone_normalize (number, NULL, &error)) == NULL ||
      !xi_limit_check_message (text, &error))
    {
      g_dbus_method_invocation_return_dbus_error (invocation, ERROR_INVALID_ARGS, error->message);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  if (stripped[0] == '\0')
    {
      g_dbus_method_invocation_return_dbus_error (invocation, ERROR_INVALID_ARGS,
                                                  _("The text to send is empty."));
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  if (!xi_connection_is_linked (self->connection))
    {
      g_dbus_method_invocation_return_dbus_error (invocation, ERROR_UNAVAILABLE,
                                                  _("No WhatsApp account is linked. Link one first."));
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  g_object_set_data_full (G_OBJECT (invocation), "xi-dbus-service", g_object_ref (self), g_object_unref);
  xi_connection_send_text_async (self->connection, phone, text, NULL, NULL, self->cancellable, message_sent_cb,
                                 g_object_ref (invocation));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
runner_progress_cb (XiDbusService       *self,
                    const XiJobProgress *progress)
{
  xi_dbus_xender_in1_emit_job_progress (self->skeleton, progress->job_id,
                                        xi_job_state_to_string (progress->state),
                                        progress->total, progress->sent, progress->failed,
                                        progress->skipped, progress->remaining);
}

static void
runner_job_changed_cb (XiDbusService *self,
                       XiJob         *job)
{
  xi_dbus_xender_in1_emit_job_progress (self->skeleton, xi_job_get_id (job),
                                        xi_job_state_to_string (xi_job_get_state (job)),
                                        xi_job_get_total (job), xi_job_get_sent (job),
                                        xi_job_get_failed (job), xi_job_get_skipped (job),
                                        xi_job_get_remaining (job));
  track_state (self, xi_job_get_id (job), xi_job_get_state (job));
  publish_status (self);
}

static void
jobs_listed_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GDBusMethodInvocation) invocation = user_data;
  g_autoptr(GPtrArray) jobs = NULL;
  g_autoptr(GError) error = NULL;
  GVariantBuilder builder;

  jobs = xi_store_list_jobs_finish (XI_STORE (object), result, &error);
  if (jobs == NULL)
    {
      g_dbus_method_invocation_return_dbus_error (invocation, ERROR_FAILED, error->message);
      return;
    }

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(sssuuuuu)"));
  for (guint i = 0; i < jobs->len; i++)
    {
      XiJob *job = g_ptr_array_index (jobs, i);

      g_variant_builder_add (&builder, "(sssuuuuu)", xi_job_get_id (job), xi_job_get_name (job),
                             xi_job_state_to_string (xi_job_get_state (job)),
                             xi_job_get_total (job), xi_job_get_sent (job), xi_job_get_failed (job),
                             xi_job_get_skipped (job), xi_job_get_remaining (job));
    }
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(a(sssuuuuu))", &builder));
}

static void
command_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GDBusMethodInvocation) invocation = user_data;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(GError) error = NULL;

  job = xi_campaign_runner_command_finish (XI_CAMPAIGN_RUNNER (object), result, &error);
  if (job == NULL)
    {
      g_dbus_method_invocation_return_dbus_error (invocation, ERROR_FAILED, error->message);
      return;
    }
  g_dbus_method_invocation_return_value (invocation,
                                         g_variant_new ("(s)", xi_job_state_to_string (xi_job_get_state (job))));
}

/* Every campaign command takes the runner's path, which checks the id
 * and whether the command fits the campaign's state. */
static gboolean
run_command (XiDbusService         *self,
             GDBusMethodInvocation *invocation,
             const char            *id,
             XiJobCommand           command)
{
  assert_owner (self);

  if (self->runner == NULL)
    {
      g_dbus_method_invocation_return_dbus_error (invocation, ERROR_ENGINE_ELSEWHERE,
                                                  _("The campaign engine is not running in this Xender-In."));
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  xi_campaign_runner_command_async (self->runner, id, command, self->cancellable, command_done_cb,
                                    g_object_ref (invocation));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_start_cb (XiDbusService         *self,
                 GDBusMethodInvocation *invocation,
                 const char            *id)
{
  return run_command (self, invocation, id, XI_JOB_COMMAND_START);
}

static gboolean
handle_pause_cb (XiDbusService         *self,
                 GDBusMethodInvocation *invocation,
                 const char            *id)
{
  return run_command (self, invocation, id, XI_JOB_COMMAND_PAUSE);
}

static gboolean
handle_resume_cb (XiDbusService         *self,
                  GDBusMethodInvocation *invocation,
                  const char            *id)
{
  return run_command (self, invocation, id, XI_JOB_COMMAND_RESUME);
}

static gboolean
handle_cancel_cb (XiDbusService         *self,
                  GDBusMethodInvocation *invocation,
                  const char            *id)
{
  return run_command (self, invocation, id, XI_JOB_COMMAND_CANCEL);
}

static void
job_deleted_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GDBusMethodInvocation) invocation = user_data;
  g_autoptr(GError) error = NULL;

  if (!xi_store_delete_job_finish (XI_STORE (object), result, &error))
    g_dbus_method_invocation_return_dbus_error (invocation, ERROR_FAILED, error->message);
  else
    g_dbus_method_invocation_return_value (invocation, NULL);
}

/* Deleting needs no engine: the store refuses a campaign that is
 * sending, and its change reaches the window's models. */
static gboolean
handle_delete_cb (XiDbusService         *self,
                  GDBusMethodInvocation *invocation,
                  const char            *id)
{
  assert_owner (self);
  xi_store_delete_job_async (self->store, id, self->cancellable, job_deleted_cb,
                             g_object_ref (invocation));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_get_status_cb (XiDbusService         *self,
                      GDBusMethodInvocation *invocation)
{
  assert_owner (self);
  xi_dbus_xender_in1_complete_get_status (self->skeleton, invocation, connection_word (self),
                                          is_sending (self));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_list_campaigns_cb (XiDbusService         *self,
                          GDBusMethodInvocation *invocation)
{
  assert_owner (self);
  xi_store_list_jobs_async (self->store, self->cancellable, jobs_listed_cb, g_object_ref (invocation));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* GObject overrides */

static void
xi_dbus_service_dispose (GObject *object)
{
  XiDbusService *self = XI_DBUS_SERVICE (object);

  g_cancellable_cancel (self->cancellable);
  xi_dbus_service_unexport (self);
  if (self->runner != NULL)
    g_signal_handlers_disconnect_by_data (self->runner, self);
  if (self->connection != NULL)
    g_signal_handlers_disconnect_by_data (self->connection, self);
  g_clear_object (&self->runner);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (xi_dbus_service_parent_class)->dispose (object);
}

static void
xi_dbus_service_finalize (GObject *object)
{
  XiDbusService *self = XI_DBUS_SERVICE (object);

  g_clear_object (&self->skeleton);
  g_clear_object (&self->store);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->processing, g_hash_table_unref);
  g_free (self->last_connection);

  G_OBJECT_CLASS (xi_dbus_service_parent_class)->finalize (object);
}

static void
xi_dbus_service_class_init (XiDbusServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = xi_dbus_service_dispose;
  object_class->finalize = xi_dbus_service_finalize;
}

static void
xi_dbus_service_init (XiDbusService *self)
{
  self->owner = g_thread_self ();
  self->cancellable = g_cancellable_new ();
  self->processing = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->skeleton = xi_dbus_xender_in1_skeleton_new ();
  g_signal_connect_swapped (self->skeleton, "handle-get-status", G_CALLBACK (handle_get_status_cb), self);
  g_signal_connect_swapped (self->skeleton, "handle-list-campaigns", G_CALLBACK (handle_list_campaigns_cb), self);
  g_signal_connect_swapped (self->skeleton, "handle-start-campaign", G_CALLBACK (handle_start_cb), self);
  g_signal_connect_swapped (self->skeleton, "handle-pause-campaign", G_CALLBACK (handle_pause_cb), self);
  g_signal_connect_swapped (self->skeleton, "handle-resume-campaign", G_CALLBACK (handle_resume_cb), self);
  g_signal_connect_swapped (self->skeleton, "handle-cancel-campaign", G_CALLBACK (handle_cancel_cb), self);
  g_signal_connect_swapped (self->skeleton, "handle-delete-campaign", G_CALLBACK (handle_delete_cb), self);
  g_signal_connect_swapped (self->skeleton, "handle-connect", G_CALLBACK (handle_connect_cb), self);
  g_signal_connect_swapped (self->skeleton, "handle-disconnect", G_CALLBACK (handle_disconnect_cb), self);
  g_signal_connect_swapped (self->skeleton, "handle-send-message", G_CALLBACK (handle_send_message_cb), self);
}

/* Public API */

/**
 * xi_dbus_service_new:
 * @store: the open store the answers come from
 *
 * Returns: (transfer full): a service that is not exported yet
 */
XiDbusService *
xi_dbus_service_new (XiStore *store)
{
  XiDbusService *self;

  g_return_val_if_fail (XI_IS_STORE (store), NULL);

  self = g_object_new (XI_TYPE_DBUS_SERVICE, NULL);
  self->store = g_object_ref (store);
  return self;
}

/**
 * xi_dbus_service_export:
 * @connection: the session bus
 * @object_path: where, the application's object path
 * @error: return location for a #GError
 *
 * Returns: whether the interface is on the bus
 */
gboolean
xi_dbus_service_export (XiDbusService    *self,
                        GDBusConnection  *connection,
                        const char       *object_path,
                        GError          **error)
{
  g_return_val_if_fail (XI_IS_DBUS_SERVICE (self), FALSE);
  assert_owner (self);

  return g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self->skeleton),
                                           connection, object_path, error);
}

/**
 * xi_dbus_service_unexport:
 *
 * Takes the interface off every bus it is on.
 */
void
xi_dbus_service_unexport (XiDbusService *self)
{
  g_return_if_fail (XI_IS_DBUS_SERVICE (self));

  if (self->skeleton != NULL &&
      g_dbus_interface_skeleton_get_connection (G_DBUS_INTERFACE_SKELETON (self->skeleton)) != NULL)
    g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (self->skeleton));
}

/**
 * xi_dbus_service_set_runner:
 * @runner: (nullable): the engine, once this process holds it
 *
 * Campaign commands fail with `Error.EngineElsewhere` until a runner is
 * set; its progress becomes JobProgress signals.
 */
void
xi_dbus_service_set_runner (XiDbusService    *self,
                            XiCampaignRunner *runner)
{
  g_return_if_fail (XI_IS_DBUS_SERVICE (self));
  g_return_if_fail (runner == NULL || XI_IS_CAMPAIGN_RUNNER (runner));
  assert_owner (self);

  if (self->runner != NULL)
    g_signal_handlers_disconnect_by_data (self->runner, self);
  g_set_object (&self->runner, runner);
  if (runner != NULL)
    {
      /* The runner already coalesces progress to one per main-loop turn. */
      g_signal_connect_swapped (runner, "progress", G_CALLBACK (runner_progress_cb), self);
      g_signal_connect_swapped (runner, "job-changed", G_CALLBACK (runner_job_changed_cb), self);
      g_signal_connect_swapped (runner, "incoming", G_CALLBACK (runner_incoming_cb), self);
      g_signal_connect_swapped (runner, "disk-full", G_CALLBACK (runner_disk_full_cb), self);
    }
  else
    g_hash_table_remove_all (self->processing);
  publish_status (self);
}

/**
 * xi_dbus_service_set_connection:
 * @connection: (nullable): the WhatsApp connection, once it runs
 */
void
xi_dbus_service_set_connection (XiDbusService *self,
                                XiConnection  *connection)
{
  g_return_if_fail (XI_IS_DBUS_SERVICE (self));
  g_return_if_fail (connection == NULL || XI_IS_CONNECTION (connection));
  assert_owner (self);

  if (self->connection != NULL)
    g_signal_handlers_disconnect_by_data (self->connection, self);
  g_set_object (&self->connection, connection);
  self->last_error_status = XI_CONNECTION_STATUS_STARTING;
  if (connection != NULL)
    {
      g_signal_connect_swapped (connection, "notify::status", G_CALLBACK (connection_status_cb), self);
      g_signal_connect_swapped (connection, "notify::qr", G_CALLBACK (connection_qr_cb), self);
    }
  publish_status (self);
}
