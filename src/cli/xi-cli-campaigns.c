/* xi-cli-campaigns.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-cli-campaigns"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>

#include "xi-campaign-runner.h"
#include "xi-cli.h"
#include "xi-loopback-transport.h"
#include "xi-phone.h"

/* "xender-in-cli campaign …" and "xender-in-cli run" */

/* The shortest id prefix accepted in place of a whole campaign id. */
#define MIN_ID_PREFIX 4

static GPtrArray *
list_jobs (XiCli   *cli,
           GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  xi_store_list_jobs_async (cli->store, NULL, xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  return xi_store_list_jobs_finish (cli->store, result, error);
}

/* A campaign by id, unique id prefix or name, newest first for names. */
static XiJob *
find_job (XiCli       *cli,
          const char  *wanted,
          GError     **error)
{
  g_autoptr(GPtrArray) jobs = list_jobs (cli, error);
  XiJob *by_prefix = NULL;
  guint n_prefix = 0;

  if (jobs == NULL)
    return NULL;

  for (guint i = 0; i < jobs->len; i++)
    {
      XiJob *job = g_ptr_array_index (jobs, i);

      if (g_str_equal (xi_job_get_id (job), wanted))
        return g_object_ref (job);
      if (strlen (wanted) >= MIN_ID_PREFIX && g_str_has_prefix (xi_job_get_id (job), wanted))
        {
          by_prefix = job;
          n_prefix++;
        }
    }
  if (n_prefix == 1)
    return g_object_ref (by_prefix);

  for (guint i = 0; i < jobs->len; i++)
    {
      XiJob *job = g_ptr_array_index (jobs, i);

      if (g_utf8_collate (xi_job_get_name (job), wanted) == 0)
        return g_object_ref (job);
    }

  g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_NOT_FOUND,
               n_prefix > 1
               ? _("“%s” matches several campaigns; give more of the id.")
               : _("There is no campaign “%s”; “xender-in-cli campaign status” lists them."),
               wanted);
  return NULL;
}

static void
add_job_json (JsonBuilder *builder,
              XiJob       *job)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, xi_job_get_id (job));
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, xi_job_get_name (job));
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, xi_job_state_to_string (xi_job_get_state (job)));
  json_builder_set_member_name (builder, "total");
  json_builder_add_int_value (builder, xi_job_get_total (job));
  json_builder_set_member_name (builder, "sent");
  json_builder_add_int_value (builder, xi_job_get_sent (job));
  json_builder_set_member_name (builder, "delivered");
  json_builder_add_int_value (builder, xi_job_get_delivered (job));
  json_builder_set_member_name (builder, "read");
  json_builder_add_int_value (builder, xi_job_get_read (job));
  json_builder_set_member_name (builder, "failed");
  json_builder_add_int_value (builder, xi_job_get_failed (job));
  json_builder_set_member_name (builder, "skipped");
  json_builder_add_int_value (builder, xi_job_get_skipped (job));
  json_builder_set_member_name (builder, "remaining");
  json_builder_add_int_value (builder, xi_job_get_remaining (job));
  json_builder_set_member_name (builder, "created_at");
  json_builder_add_string_value (builder, xi_job_get_created_at (job));
  json_builder_set_member_name (builder, "last_error");
  json_builder_add_string_value (builder, xi_job_get_last_error (job));
  json_builder_set_member_name (builder, "transport");
  json_builder_add_string_value (builder, xi_job_get_transport (job));
  json_builder_set_member_name (builder, "attachment");
  json_builder_add_string_value (builder, xi_job_get_asset_name (job));
  json_builder_set_member_name (builder, "attachment_sha256");
  json_builder_add_string_value (builder, xi_job_get_asset_sha256 (job));
  json_builder_end_object (builder);
}

static void
print_job_line (XiJob *job)
{
  g_autofree char *short_id = g_strndup (xi_job_get_id (job), 8);
  /* Translators: a campaign's name, for one that sends nothing to anyone */
  g_autofree char *name = xi_job_is_rehearsal (job) ? g_strdup_printf (_("%s (rehearsal)"), xi_job_get_name (job))
                                                    : g_strdup (xi_job_get_name (job));

  /* Translators: campaign status line: id, state, name, then counts */
  g_print (_("%s  %-22s %s — %u sent, %u delivered, %u read, %u failed, %u skipped, %u to go\n"),
           short_id, xi_job_state_describe (xi_job_get_state (job)), name,
           xi_job_get_sent (job), xi_job_get_delivered (job), xi_job_get_read (job),
           xi_job_get_failed (job), xi_job_get_skipped (job), xi_job_get_remaining (job));
  if (xi_job_get_asset_name (job) != NULL)
    /* Translators: under a campaign's status line, the file every message carries */
    g_print (_("          Attached: %s\n"), xi_job_get_asset_name (job));
  if (xi_job_get_last_error (job) != NULL)
    g_print ("          %s\n", xi_job_get_last_error (job));
}

static int
print_job (XiCli *cli,
           XiJob *job)
{
  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      add_job_json (builder, job);
      xi_cli_print_json (builder);
    }
  else
    print_job_line (job);
  return XI_CLI_EXIT_OK;
}

static void
add_plan_json (JsonBuilder *builder,
               XiJob       *job,
               XiJobPlan   *plan,
               XiSegment   *segment,
               guint        matched)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "campaign");
  add_job_json (builder, job);
  if (segment != NULL)
    {
      json_builder_set_member_name (builder, "segment");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, segment->name);
      json_builder_set_member_name (builder, "matched");
      json_builder_add_int_value (builder, matched);
      json_builder_end_object (builder);
    }
  json_builder_set_member_name (builder, "skipped");
  json_builder_begin_object (builder);
  for (XiSkipReason reason = XI_SKIP_REASON_OPTED_OUT; reason < XI_SKIP_REASON_CANCELLED; reason++)
    {
      json_builder_set_member_name (builder, xi_skip_reason_to_string (reason));
      json_builder_add_int_value (builder, plan->skipped[reason]);
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);
}

/* The options of "campaign create" that its check reads. */
typedef struct
{
  char *group_name;
  char *segment_name;
  char *template_name;
  int   daily_cap;
} CreateOptions;

static void
create_options_clear (CreateOptions *options)
{
  g_free (options->group_name);
  g_free (options->segment_name);
  g_free (options->template_name);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CreateOptions, create_options_clear)

/* A campaign goes to one group or one segment, with one template. */
static gboolean
check_create (int        argc,
              char     **argv,
              gpointer   options,
              GError   **error)
{
  CreateOptions *create = options;

  if ((create->group_name == NULL) == (create->segment_name == NULL) || create->template_name == NULL)
    return xi_cli_refuse (error, "%s", _("Say who gets it and what: --group GROUP or --segment SEGMENT, "
                                         "and --template TEMPLATE."));
  if (create->daily_cap < 0)
    return xi_cli_refuse (error, "%s", _("--daily-cap must be 0 (no cap) or more."));
  return TRUE;
}

static int
campaign_create (XiCli  *cli,
                 int     argc,
                 char  **argv)
{
  g_autoptr(GOptionContext) context = xi_cli_context_new (cli);
  g_autoptr(XiJobSpec) spec = xi_job_spec_new ();
  g_autoptr(XiGroup) group = NULL;
  g_autoptr(XiTemplate) template_ = NULL;
  g_autoptr(XiJobPlan) plan = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GError *cause = NULL;
  g_autoptr(XiSegment) segment = NULL;
  g_autoptr(XiContactFilter) filter = NULL;
  g_autoptr(GPtrArray) audience = NULL;
  g_autofree char *delay = NULL;
  g_autofree char *batch = NULL;
  g_autofree char *at = NULL;
  g_autofree char *name = NULL;
  GAsyncResult *slot = NULL;
  gboolean round_robin = FALSE;
  gboolean start = FALSE;
  gboolean rehearse = FALSE;
  g_auto(CreateOptions) options = { NULL, };
  int priority = 0;
  int status;
  const GOptionEntry entries[] = {
    { "group", 'g', 0, G_OPTION_ARG_STRING, &options.group_name,
      N_("Send to the members of this group"), N_("GROUP") },
    { "segment", 's', 0, G_OPTION_ARG_STRING, &options.segment_name,
      N_("Send to the contacts of this segment, as it stands now"), N_("SEGMENT") },
    { "template", 't', 0, G_OPTION_ARG_STRING, &options.template_name,
      N_("The template to send"), N_("TEMPLATE") },
    { "name", 'n', 0, G_OPTION_ARG_STRING, &name, N_("Name the campaign"), N_("NAME") },
    { "delay", 0, 0, G_OPTION_ARG_STRING, &delay,
      N_("Seconds between messages: N, or a random MIN-MAX (default 20-45)"), N_("MIN-MAX") },
    { "batch", 0, 0, G_OPTION_ARG_STRING, &batch,
      N_("Rest REST minutes after every N messages (default 25:10; 0 for never)"), N_("N:REST") },
    { "daily-cap", 0, 0, G_OPTION_ARG_INT, &options.daily_cap, N_("Send at most N messages a day"), N_("N") },
    { "at", 0, 0, G_OPTION_ARG_STRING, &at, N_("Do not start before TIME (HH:MM or YYYY-MM-DD HH:MM)"), N_("TIME") },
    { "priority", 0, 0, G_OPTION_ARG_INT, &priority, N_("Run before campaigns of lower priority"), N_("N") },
    { "round-robin", 0, 0, G_OPTION_ARG_NONE, &round_robin, N_("Use the template's variants in turn, not at random"), NULL },
    { "start", 0, 0, G_OPTION_ARG_NONE, &start, N_("Queue it at once"), NULL },
    { "rehearse", 0, 0, G_OPTION_ARG_NONE, &rehearse,
      N_("Only rehearse: nothing is sent, each message goes to a journal file (the default while no "
         "WhatsApp account is linked)"), NULL },
    { NULL },
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!xi_cli_parse_checked (cli, context, check_create, &options, &argc, &argv, &status))
    return status;

  if ((delay != NULL && !xi_job_spec_parse_delay (spec, delay, &cause) &&
       !xi_cli_bad_value (&error, g_steal_pointer (&cause))) ||
      (batch != NULL && !xi_job_spec_parse_batch (spec, batch, &cause) &&
       !xi_cli_bad_value (&error, g_steal_pointer (&cause))) ||
      (at != NULL && !xi_cli_parse_start_time (at, &spec->scheduled_at, &error)) ||
      (options.group_name != NULL && (group = xi_cli_find_group (cli, options.group_name, &error)) == NULL) ||
      (options.segment_name != NULL &&
       ((segment = xi_cli_find_segment (cli, options.segment_name, &error)) == NULL ||
        (filter = xi_segment_get_filter (segment, &error)) == NULL ||
        (audience = xi_cli_filter_contacts (cli, filter, &error)) == NULL)) ||
      (template_ = xi_cli_find_template (cli, options.template_name, &error)) == NULL)
    return xi_cli_fail (cli, error);

  spec->name = g_steal_pointer (&name);
  if (group != NULL)
    spec->group_id = g_strdup (xi_group_get_id (group));
  else
    {
      /* A segment is evaluated once, now: the campaign keeps these
       * recipients whatever later edits do to the segment's contacts. */
      if (audience->len == 0)
        return xi_cli_fail_message (cli, _("No contact matches segment “%s” now; nothing to send."),
                                    segment->name);
      spec->contact_ids = g_new0 (char *, audience->len + 1);
      for (guint i = 0; i < audience->len; i++)
        spec->contact_ids[i] = g_strdup (xi_contact_get_id (g_ptr_array_index (audience, i)));
      spec->segment = xi_segment_copy (segment);
    }
  spec->template_id = g_strdup (xi_template_get_id (template_));
  spec->daily_cap = options.daily_cap;
  spec->priority = priority;
  spec->variant_mode = round_robin ? XI_VARIANT_MODE_ROUND_ROBIN : XI_VARIANT_MODE_RANDOM;
  spec->start = start;
  /* Once an account is linked, a campaign is meant for people; until
   * then it can only be a rehearsal. */
  spec->transport = g_strdup (!rehearse && xi_cli_whatsapp_is_linked (cli) ? XI_JOB_TRANSPORT_WHATSAPP
                                                                            : XI_JOB_TRANSPORT_LOOPBACK);

  xi_store_plan_job_async (cli->store, spec, 0, NULL, xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  if ((plan = xi_store_plan_job_finish (cli->store, result, &error)) == NULL)
    return xi_cli_fail (cli, error);
  g_clear_object (&result);

  xi_store_create_job_async (cli->store, spec, NULL, xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  if ((job = xi_store_create_job_finish (cli->store, result, &error)) == NULL)
    return xi_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      add_plan_json (builder, job, plan, segment, audience != NULL ? audience->len : 0);
      xi_cli_print_json (builder);
      return XI_CLI_EXIT_OK;
    }

  g_print (ngettext ("Created campaign “%s” (%s) for %u recipient.\n",
                     "Created campaign “%s” (%s) for %u recipients.\n", plan->eligible),
           xi_job_get_name (job), xi_job_get_id (job), plan->eligible);
  if (segment != NULL)
    {
      g_autofree char *described = xi_segment_describe (segment);

      g_print (ngettext ("Audience: segment “%s” (%s), evaluated now: %u contact matched.\n",
                         "Audience: segment “%s” (%s), evaluated now: %u contacts matched.\n",
                         audience->len),
               segment->name, described, audience->len);
    }
  if (xi_job_is_rehearsal (job))
    g_print ("%s\n", _("It is a rehearsal: nothing is sent to anyone; each message goes to the journal file."));
  for (XiSkipReason reason = XI_SKIP_REASON_OPTED_OUT; reason < XI_SKIP_REASON_CANCELLED; reason++)
    if (plan->skipped[reason] > 0)
      g_print (_("  skipped (%s): %u\n"), xi_skip_reason_describe (reason), plan->skipped[reason]);
  for (guint i = 0; plan->missing_variables != NULL && plan->missing_variables[i] != NULL; i++)
    g_print (_("  some contacts have no value for {%s}; they get the fallback or nothing\n"),
             plan->missing_variables[i]);
  if (!start)
    g_print (_("Queue it with “xender-in-cli campaign start %.8s”.\n"), xi_job_get_id (job));
  return XI_CLI_EXIT_OK;
}

/* @command through the running app's D-Bus interface. Its refusal
 * (the campaign is finished, say) comes back as the app worded it. */
static gboolean
app_command (XiDbusXenderIn1  *app,
             const char       *job_id,
             XiJobCommand      command,
             GError          **error)
{
  g_autofree char *state = NULL;
  gboolean ok = FALSE;

  switch (command)
    {
    case XI_JOB_COMMAND_START:
      ok = xi_dbus_xender_in1_call_start_campaign_sync (app, job_id, &state, NULL, error);
      break;
    case XI_JOB_COMMAND_PAUSE:
      ok = xi_dbus_xender_in1_call_pause_campaign_sync (app, job_id, &state, NULL, error);
      break;
    case XI_JOB_COMMAND_RESUME:
      ok = xi_dbus_xender_in1_call_resume_campaign_sync (app, job_id, &state, NULL, error);
      break;
    case XI_JOB_COMMAND_CANCEL:
      ok = xi_dbus_xender_in1_call_cancel_campaign_sync (app, job_id, &state, NULL, error);
      break;
    default:
      g_assert_not_reached ();
    }
  if (!ok)
    g_dbus_error_strip_remote_error (*error);
  return ok;
}

static int
campaign_command (XiCli         *cli,
                  int            argc,
                  char         **argv,
                  XiJobCommand   command)
{
  g_autoptr(XiJob) job = NULL;
  g_autoptr(XiJob) changed = NULL;
  g_autoptr(XiDbusXenderIn1) app = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  int status;

  if (!xi_cli_parse (cli, NULL, &argc, &argv, &status))
    return status;
  if ((job = find_job (cli, argv[1], &error)) == NULL)
    return xi_cli_fail (cli, error);

  /* The app that sends from this folder takes the command through its
   * runner, which acts on it at once. Otherwise the store changes, and a
   * running "xender-in-cli run" notices the new state at its next step. */
  if ((app = xi_cli_app_proxy (cli)) != NULL)
    {
      if (!app_command (app, xi_job_get_id (job), command, &error))
        return xi_cli_fail (cli, error);
      if ((changed = find_job (cli, xi_job_get_id (job), &error)) == NULL)
        return xi_cli_fail (cli, error);
      return print_job (cli, changed);
    }

  xi_store_command_job_async (cli->store, xi_job_get_id (job), command, NULL, xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  if ((changed = xi_store_command_job_finish (cli->store, result, &error)) == NULL)
    return xi_cli_fail (cli, error);

  return print_job (cli, changed);
}

static int
campaign_start (XiCli *cli, int argc, char **argv)
{
  return campaign_command (cli, argc, argv, XI_JOB_COMMAND_START);
}

static int
campaign_pause (XiCli *cli, int argc, char **argv)
{
  return campaign_command (cli, argc, argv, XI_JOB_COMMAND_PAUSE);
}

static int
campaign_resume (XiCli *cli, int argc, char **argv)
{
  return campaign_command (cli, argc, argv, XI_JOB_COMMAND_RESUME);
}

static int
campaign_cancel (XiCli *cli, int argc, char **argv)
{
  return campaign_command (cli, argc, argv, XI_JOB_COMMAND_CANCEL);
}

/* "campaign delete CAMPAIGN": one that has not finished is cancelled
 * first, which gives its quota back; one sending now, or sent by another
 * computer of the account, is refused with the store's reason. The app
 * that holds this folder deletes it itself, so its window drops it at
 * once; its refusal comes back as it worded it. */
static int
campaign_delete (XiCli  *cli,
                 int     argc,
                 char  **argv)
{
  g_autoptr(XiJob) job = NULL;
  g_autoptr(XiDbusXenderIn1) app = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  int status;

  if (!xi_cli_parse (cli, NULL, &argc, &argv, &status))
    return status;
  if ((job = find_job (cli, argv[1], &error)) == NULL)
    return xi_cli_fail (cli, error);

  if ((app = xi_cli_app_proxy (cli)) != NULL)
    {
      if (!xi_dbus_xender_in1_call_delete_campaign_sync (app, xi_job_get_id (job), NULL, &error))
        {
          g_dbus_error_strip_remote_error (error);
          return xi_cli_fail (cli, error);
        }
    }
  else
    {
      xi_store_delete_job_async (cli->store, xi_job_get_id (job), NULL, xi_cli_result_cb, &slot);
      result = xi_cli_wait (&slot);
      if (!xi_store_delete_job_finish (cli->store, result, &error))
        return xi_cli_fail (cli, error);
    }

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "deleted");
      json_builder_add_string_value (builder, xi_job_get_id (job));
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, xi_job_get_name (job));
      json_builder_end_object (builder);
      xi_cli_print_json (builder);
    }
  else
    g_print (_("Deleted “%s”.\n"), xi_job_get_name (job));
  return XI_CLI_EXIT_OK;
}

static void
add_quota_json (JsonBuilder *builder,
                XiQuota     *quota)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "period");
  json_builder_add_string_value (builder, quota->period);
  json_builder_set_member_name (builder, "allowance");
  json_builder_add_int_value (builder, quota->allowance);
  json_builder_set_member_name (builder, "used");
  json_builder_add_int_value (builder, quota->used);
  json_builder_set_member_name (builder, "reserved");
  json_builder_add_int_value (builder, quota->reserved);
  json_builder_set_member_name (builder, "available");
  json_builder_add_int_value (builder, quota->available);
  json_builder_end_object (builder);
}

static void
print_quota_line (XiQuota *quota)
{
  g_print (_("Quota %s: %u used, %u reserved, %u of %u left\n"), quota->period, quota->used,
           quota->reserved, quota->available, quota->allowance);
}

static XiQuota *
get_quota (XiCli   *cli,
           GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  xi_store_get_quota_async (cli->store, NULL, xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  return xi_store_get_quota_finish (cli->store, result, error);
}

static int
campaign_status (XiCli  *cli,
                 int     argc,
                 char  **argv)
{
  g_autoptr(GPtrArray) jobs = NULL;
  g_autoptr(XiJob) job = NULL;
  g_autoptr(XiQuota) quota = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (!xi_cli_parse (cli, NULL, &argc, &argv, &status))
    return status;
  if (argc == 2)
    {
      if ((job = find_job (cli, argv[1], &error)) == NULL)
        return xi_cli_fail (cli, error);
      return print_job (cli, job);
    }

  if ((jobs = list_jobs (cli, &error)) == NULL || (quota = get_quota (cli, &error)) == NULL)
    return xi_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "quota");
      add_quota_json (builder, quota);
      json_builder_set_member_name (builder, "campaigns");
      json_builder_begin_array (builder);
      for (guint i = 0; i < jobs->len; i++)
        add_job_json (builder, g_ptr_array_index (jobs, i));
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      xi_cli_print_json (builder);
      return XI_CLI_EXIT_OK;
    }

  for (guint i = 0; i < jobs->len; i++)
    print_job_line (g_ptr_array_index (jobs, i));
  if (jobs->len == 0)
    g_print ("%s\n", _("No campaigns yet. Create one with “xender-in-cli campaign create”."));
  print_quota_line (quota);
  return XI_CLI_EXIT_OK;
}

/* An allowance given is a number of messages, read into @options. */
static gboolean
check_allowance (int        argc,
                 char     **argv,
                 gpointer   options,
                 GError   **error)
{
  if (argc == 2 && !g_ascii_string_to_unsigned (argv[1], 10, 0, G_MAXUINT32, options, NULL))
    return xi_cli_refuse (error, _("“%s” is not a number of messages."), argv[1]);
  return TRUE;
}

/* "campaign quota [ALLOWANCE]": the month's allowance, shown or set. */
static int
campaign_quota (XiCli  *cli,
                int     argc,
                char  **argv)
{
  g_autoptr(XiQuota) quota = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  guint64 allowance;
  int status;

  if (!xi_cli_parse_checked (cli, NULL, check_allowance, &allowance, &argc, &argv, &status))
    return status;
  if (argc == 2)
    {
      xi_store_set_quota_allowance_async (cli->store, allowance, NULL, xi_cli_result_cb, &slot);
      result = xi_cli_wait (&slot);
      quota = xi_store_set_quota_allowance_finish (cli->store, result, &error);
    }
  else
    quota = get_quota (cli, &error);
  if (quota == NULL)
    return xi_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      add_quota_json (builder, quota);
      xi_cli_print_json (builder);
    }
  else
    print_quota_line (quota);
  return XI_CLI_EXIT_OK;
}

static void
add_recipient_json (JsonBuilder    *builder,
                    XiJobRecipient *row)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "position");
  json_builder_add_int_value (builder, xi_job_recipient_get_position (row));
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, xi_job_recipient_get_name (row));
  json_builder_set_member_name (builder, "phone");
  json_builder_add_string_value (builder, xi_job_recipient_get_phone (row));
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, xi_recipient_state_to_string (xi_job_recipient_get_state (row)));
  json_builder_set_member_name (builder, "skip_reason");
  json_builder_add_string_value (builder, xi_skip_reason_to_string (xi_job_recipient_get_skip_reason (row)));
  json_builder_set_member_name (builder, "attempts");
  json_builder_add_int_value (builder, xi_job_recipient_get_attempts (row));
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, xi_job_recipient_get_last_error (row));
  json_builder_set_member_name (builder, "message_id");
  json_builder_add_string_value (builder, xi_job_recipient_get_message_id (row));
  json_builder_set_member_name (builder, "text");
  json_builder_add_string_value (builder, xi_job_recipient_get_text (row));
  json_builder_set_member_name (builder, "sent_at");
  json_builder_add_string_value (builder, xi_job_recipient_get_sent_at (row));
  json_builder_end_object (builder);
}

static int
campaign_report (XiCli  *cli,
                 int     argc,
                 char  **argv)
{
  g_autoptr(XiJob) job = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  int status;

  if (!xi_cli_parse (cli, NULL, &argc, &argv, &status))
    return status;
  if ((job = find_job (cli, argv[1], &error)) == NULL)
    return xi_cli_fail (cli, error);

  if (argc == 3)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (argv[2]);
      guint n;

      xi_store_export_job_report_async (cli->store, xi_job_get_id (job), file, NULL,
                                        xi_cli_result_cb, &slot);
      result = xi_cli_wait (&slot);
      n = xi_store_export_job_report_finish (cli->store, result, &error);
      if (error != NULL)
        return xi_cli_fail (cli, error);
      if (cli->json)
        {
          g_autoptr(JsonBuilder) builder = json_builder_new ();

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "written");
          json_builder_add_int_value (builder, n);
          json_builder_set_member_name (builder, "file");
          json_builder_add_string_value (builder, argv[2]);
          json_builder_end_object (builder);
          xi_cli_print_json (builder);
        }
      else
        g_print (ngettext ("Wrote %u recipient to %s.\n", "Wrote %u recipients to %s.\n", n), n, argv[2]);
      return XI_CLI_EXIT_OK;
    }

  xi_store_list_job_recipients_async (cli->store, xi_job_get_id (job), NULL, xi_cli_result_cb, &slot);
  result = xi_cli_wait (&slot);
  if ((rows = xi_store_list_job_recipients_finish (cli->store, result, &error)) == NULL)
    return xi_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_array (builder);
      for (guint i = 0; i < rows->len; i++)
        add_recipient_json (builder, g_ptr_array_index (rows, i));
      json_builder_end_array (builder);
      xi_cli_print_json (builder);
      return XI_CLI_EXIT_OK;
    }

  print_job_line (job);
  for (guint i = 0; i < rows->len; i++)
    {
      XiJobRecipient *row = g_ptr_array_index (rows, i);
      g_autofree char *phone = xi_phone_format_international (xi_job_recipient_get_phone (row));
      XiRecipientState state = xi_job_recipient_get_state (row);
      const char *why = state == XI_RECIPIENT_STATE_SKIPPED
                        ? xi_skip_reason_describe (xi_job_recipient_get_skip_reason (row))
                        : xi_job_recipient_get_last_error (row);

      g_print ("%6u  %-24s %-18s %-10s %s\n", xi_job_recipient_get_position (row),
               xi_job_recipient_get_name (row), phone, xi_recipient_state_describe (state),
               why != NULL ? why : "");
    }
  return XI_CLI_EXIT_OK;
}

const XiCliCommand xi_cli_campaign_commands[] = {
  { "create", campaign_create, N_("Create a campaign from a group and a template"), NULL,
    0, 0, N_("“campaign create” takes options only, such as --group and --template.") },
  { "start",  campaign_start,  N_("Queue a campaign created without --start"), N_("CAMPAIGN"),
    1, 1, N_("“campaign start” needs the campaign's id or name.") },
  { "pause",  campaign_pause,  N_("Hold a campaign; nothing more is sent"), N_("CAMPAIGN"),
    1, 1, N_("“campaign pause” needs the campaign's id or name.") },
  { "resume", campaign_resume, N_("Queue a paused campaign again"), N_("CAMPAIGN"),
    1, 1, N_("“campaign resume” needs the campaign's id or name.") },
  { "cancel", campaign_cancel, N_("Stop a campaign for good and release its quota"), N_("CAMPAIGN"),
    1, 1, N_("“campaign cancel” needs the campaign's id or name.") },
  { "delete", campaign_delete, N_("Delete a campaign that is not sending, and its report"), N_("CAMPAIGN"),
    1, 1, N_("“campaign delete” needs the campaign's id or name.") },
  { "status", campaign_status, N_("List campaigns and the quota, or show one"), N_("[CAMPAIGN]"),
    0, 1, N_("“campaign status” takes at most one campaign.") },
  { "report", campaign_report, N_("Show or export (CSV) what each recipient was sent"), N_("CAMPAIGN [FILE.csv]"),
    1, 2, N_("Usage: campaign report CAMPAIGN [FILE.csv]") },
  { "quota",  campaign_quota,  N_("Show this month's quota, or set the allowance"), N_("[MESSAGES-PER-MONTH]"),
    0, 1, N_("Usage: campaign quota [MESSAGES-PER-MONTH]") },
  { NULL },
};

/* "run" */

typedef struct
{
  XiCli      *cli;
  GMainLoop  *loop;
  gboolean    until_idle;
  gboolean    whatsapp;      /* the runner's transport is WhatsApp */
  guint       read_timeout;  /* idle, waiting to read what waited on the server */
  gboolean    disk_full;
  XiJobState  last_state;   /* of the campaign that changed last */
  gint64      last_print;
} RunState;

static void
run_progress_cb (XiCampaignRunner *runner,
                 XiJobProgress    *progress,
                 RunState         *state)
{
  gint64 now = g_get_monotonic_time ();

  /* A line a second is plenty for a person; --json readers poll status. */
  if (state->cli->json || now - state->last_print < G_USEC_PER_SEC)
    return;
  state->last_print = now;
  g_printerr (_("%.8s: %u sent, %u failed, %u to go\n"), progress->job_id, progress->sent,
              progress->failed, progress->remaining);
}

static void
run_job_changed_cb (XiCampaignRunner *runner,
                    XiJob            *job,
                    RunState         *state)
{
  state->last_state = xi_job_get_state (job);
  if (xi_job_is_finished (job) && !state->cli->json)
    print_job_line (job);
}

/* How long "run --until-idle" gives WhatsApp to hand over what waited
 * on the server, when it has nothing to send. */
#define READ_BACKLOG_TIMEOUT_S 20

static gboolean
run_read_timeout_cb (gpointer user_data)
{
  RunState *state = user_data;

  state->read_timeout = 0;
  g_main_loop_quit (state->loop);
  return G_SOURCE_REMOVE;
}

/* Idle is not enough with WhatsApp: replies that waited on the server
 * while nothing ran (a STOP among them) are only read once it is
 * connected and has handed them over, which the transport's "connected"
 * waits for. A run from cron must act on them, not exit first. */
static void
run_maybe_quit (XiCampaignRunner *runner,
                RunState         *state)
{
  if (!state->until_idle || !xi_campaign_runner_is_idle (runner))
    return;
  if (!state->whatsapp || xi_campaign_runner_get_transport_state (runner) == XI_TRANSPORT_STATE_CONNECTED)
    g_main_loop_quit (state->loop);
  else if (state->read_timeout == 0)
    state->read_timeout = g_timeout_add_seconds (READ_BACKLOG_TIMEOUT_S, run_read_timeout_cb, state);
}

static void
run_idle_cb (XiCampaignRunner *runner,
             RunState         *state)
{
  run_maybe_quit (runner, state);
}

static void
run_transport_state_cb (XiCampaignRunner *runner,
                        GParamSpec       *pspec,
                        RunState         *state)
{
  run_maybe_quit (runner, state);
}

/* Sending what cannot be recorded is never done: the campaign is paused
 * and the command fails, so a script or a service manager notices. */
static void
run_disk_full_cb (XiCampaignRunner *runner,
                  RunState         *state)
{
  state->disk_full = TRUE;
  g_main_loop_quit (state->loop);
}

static gboolean
run_signal_cb (gpointer user_data)
{
  RunState *state = user_data;

  g_main_loop_quit (state->loop);
  return G_SOURCE_CONTINUE;
}

/* @options points to the name of the transport given, if any. */
static gboolean
check_transport (int        argc,
                 char     **argv,
                 gpointer   options,
                 GError   **error)
{
  const char *transport = *(char **)options;

  if (transport != NULL && !g_str_equal (transport, "loopback") && !g_str_equal (transport, "whatsapp"))
    return xi_cli_refuse (error, _("Unknown transport “%s”; use loopback or whatsapp."), transport);
  return TRUE;
}

int
xi_cli_run (XiCli  *cli,
            int     argc,
            char  **argv)
{
  g_autoptr(GOptionContext) context = xi_cli_context_new (cli);
  g_autoptr(XiCampaignRunner) runner = NULL;
  g_autoptr(XiDbusXenderIn1) app = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  g_autofree char *transport = NULL;
  gboolean until_idle = FALSE;
  gboolean wait = FALSE;
  RunState state = { .cli = cli, .loop = loop };
  guint sigint, sigterm;
  int status;
  const GOptionEntry entries[] = {
    { "until-idle", 0, 0, G_OPTION_ARG_NONE, &until_idle,
      N_("Stop once no campaign can be sent now"), NULL },
    { "wait", 0, 0, G_OPTION_ARG_NONE, &wait,
      N_("When another Xender-In is sending from this data folder, wait until it stops"), NULL },
    { "transport", 0, 0, G_OPTION_ARG_STRING, &transport,
      N_("Only campaigns that go through NAME: loopback (rehearsals: messages go to a journal file) "
         "or whatsapp; by default both, WhatsApp when an account is linked"), N_("NAME") },
    { NULL },
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!xi_cli_parse_checked (cli, context, check_transport, &transport, &argc, &argv, &status))
    return status;
  if (!wait && (app = xi_cli_app_proxy (cli)) != NULL)
    return xi_cli_forward_run (cli, app, until_idle);
  if ((status = xi_cli_lock_engine (cli, wait)) != XI_CLI_EXIT_OK)
    return status;

  if (transport != NULL && g_str_equal (transport, "whatsapp"))
    runner = xi_cli_whatsapp_runner (cli, &error);
  else
    runner = xi_campaign_runner_new (cli->store, xi_loopback_transport_factory,
                                     g_build_filename (cli->data_dir, "loopback-journal.tsv", NULL),
                                     g_free);
  if (runner == NULL)
    return xi_cli_fail (cli, error);
  state.until_idle = until_idle;
  g_signal_connect (runner, "progress", G_CALLBACK (run_progress_cb), &state);
  g_signal_connect (runner, "job-changed", G_CALLBACK (run_job_changed_cb), &state);
  g_signal_connect (runner, "idle", G_CALLBACK (run_idle_cb), &state);
  g_signal_connect (runner, "notify::transport-state", G_CALLBACK (run_transport_state_cb), &state);
  g_signal_connect (runner, "disk-full", G_CALLBACK (run_disk_full_cb), &state);
  xi_cli_inbox_attach (cli, runner);
  /* Before the start: reading the keys runs this thread's main loop,
   * which must not see the runner's first "idle" yet. */
  if (transport == NULL)
    xi_cli_whatsapp_attach (cli, runner);
  state.whatsapp = transport != NULL && g_str_equal (transport, "whatsapp");
  if (!xi_campaign_runner_start (runner, &error))
    return xi_cli_fail (cli, error);

  sigint = g_unix_signal_add (SIGINT, run_signal_cb, &state);
  sigterm = g_unix_signal_add (SIGTERM, run_signal_cb, &state);
  g_main_loop_run (loop);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  if (state.read_timeout != 0)
    g_source_remove (state.read_timeout);

  /* Stopping keeps a campaign in progress "processing", so the next run
   * continues it. */
  xi_cli_whatsapp_detach (runner);
  xi_campaign_runner_stop (runner);
  g_signal_handlers_disconnect_by_data (runner, &state);
  /* With no room even to record the pause, the campaign is still
   * "sending" on disk, and the next run simply continues it. */
  if (state.disk_full && state.last_state == XI_JOB_STATE_PAUSED)
    return xi_cli_fail_message (cli, "%s", _("The disk is full: the campaign is paused. Free some space, "
                                             "then resume it with “xender-in-cli campaign resume”."));
  if (state.disk_full)
    return xi_cli_fail_message (cli, "%s", _("The disk is full: sending stopped. Free some space, then run "
                                             "again to continue the campaign."));
  return XI_CLI_EXIT_OK;
}
