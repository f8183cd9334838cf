/* xi-store-jobs.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-store-jobs"

#include "config.h"

#include <glib/gi18n.h>

#include "xi-activity-private.h"
#include "xi-csv.h"
#include "xi-job-private.h"
#include "xi-job-recipient-private.h"
#include "xi-limits.h"
#include "xi-message-id.h"
#include "xi-phone.h"
#include "xi-store-private.h"
#include "xi-template-text.h"

/*
 * Campaigns on the store thread: the write-ahead log of DESIGN.md.
 *
 * A campaign is written whole when it is created: the job row, one
 * recipient row per targeted contact with the message rendered, and the
 * quota reservation, in one transaction. Each row's WhatsApp message id
 * is chosen and stored when the row is first handed out for sending
 * (assign_message_ids ()). Sending then only moves rows forward. Because
 * the id and the text are fixed before the first attempt, a send repeated
 * after a crash is the same message to the recipient's phone, never a
 * second one.
 *
 * Counters on the job row change in the same transaction as the rows
 * they count, and only when a row really moves (the UPDATEs are guarded
 * by the state they expect), so replaying an outcome or a receipt is
 * harmless.
 */

#define JOB_COLUMNS \
  "id, name, template_id, group_id, state, delay_min_ms, delay_max_ms, batch_size," \
  " batch_rest_ms, daily_cap, variant_mode, priority, scheduled_at, total, sent, failed," \
  " skipped, delivered, read, created_at, started_at, finished_at, last_error, transport," \
  " asset_sha256, asset_name, asset_mime_type, asset_size"

#define RECIPIENT_COLUMNS \
  "position, name, phone, state, skip_reason, attempts, last_error, wa_message_id," \
  " rendered_text, sent_at, delivered_at, read_at"

G_DEFINE_BOXED_TYPE (XiQuota, xi_quota, xi_quota_copy, xi_quota_free)

XiQuota *
xi_quota_copy (const XiQuota *quota)
{
  XiQuota *copy = g_memdup2 (quota, sizeof *quota);

  copy->period = g_strdup (quota->period);
  return copy;
}

void
xi_quota_free (XiQuota *quota)
{
  if (quota == NULL)
    return;
  g_free (quota->period);
  g_free (quota);
}

void
xi_outgoing_free (XiOutgoing *outgoing)
{
  if (outgoing == NULL)
    return;
  g_free (outgoing->job_id);
  g_free (outgoing->row_id);
  g_free (outgoing->phone);
  g_free (outgoing->name);
  g_free (outgoing->message_id);
  g_free (outgoing->text);
  g_free (outgoing);
}

void
xi_outcome_free (XiOutcome *outcome)
{
  if (outcome == NULL)
    return;
  g_free (outcome->row_id);
  g_free (outcome->error);
  g_free (outcome);
}

void
xi_receipt_free (XiReceipt *receipt)
{
  if (receipt == NULL)
    return;
  g_free (receipt->message_id);
  g_free (receipt);
}

/* Times */

static char *
iso_from_unix (gint64 seconds)
{
  return _xi_store_time_text (seconds, 0);
}

static gint64
unix_from_iso (const char *text)
{
  g_autoptr(GDateTime) time = NULL;

  if (text == NULL)
    return 0;
  time = g_date_time_new_from_iso8601 (text, NULL);
  return time != NULL ? g_date_time_to_unix (time) : 0;
}

/* The quota month, in the user's local time. */
static char *
current_period (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  return g_date_time_format (now, "%Y-%m");
}

/* Longer than any backoff the send loop stamps on a recipient: those
 * are seconds. */
#define MAX_RECIPIENT_WAIT_MS (10 * 60 * 1000)

/* A backoff due further ahead than any the send loop gives was stamped by
 * a clock that has since been put back: it is due now, or the message
 * would wait for as long as that clock ran ahead. A wait for WhatsApp's
 * time-lock or new-chat cap holds the pause's end, often hours ahead, and
 * stands: after a restart the transport learns the pause only once
 * connected, so the message would go as a reach-out WhatsApp counts
 * against the account. */
static gint64
retry_due_at (gint64       stamped,
              XiSkipReason reason,
              gint64       now_ms)
{
  if (reason == XI_SKIP_REASON_NEW_CHATS_PAUSED)
    return stamped;
  return stamped > now_ms + MAX_RECIPIENT_WAIT_MS ? now_ms : stamped;
}

/* Local midnight today, as the UTC text the time columns hold. */
static char *
start_of_today (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) midnight = g_date_time_new_local (g_date_time_get_year (now),
                                                         g_date_time_get_month (now),
                                                         g_date_time_get_day_of_month (now),
                                                         0, 0, 0);

  return iso_from_unix (g_date_time_to_unix (midnight));
}

/*
 * Ids for the rows of one campaign, made so that a campaign's rows arrive
 * in key order: random keys would scatter 100,000 inserts over the
 * indexes, sequential ones append. Each campaign draws its own random
 * prefix, the position makes the rest.
 *
 * Recipient ids are UUIDs in the version 7 layout (the campaign's creation
 * time in milliseconds, then random bits and the position), as sync wants
 * UUIDs; they never leave this account. Message ids do: each recipient
 * sees its own and WhatsApp sees them all, so they are
 * xi_message_id_new()'s, unrelated to each other, and chosen as the rows
 * are sent (assign_message_ids ()).
 */
typedef struct
{
  guint64  created_ms;
  guint32  random_a;
  guint32  random_b;
} RowIds;

static void
row_ids_init (RowIds *ids,
              GRand  *rand)
{
  ids->created_ms = g_get_real_time () / 1000;
  ids->random_a = g_rand_int (rand);
  ids->random_b = g_rand_int (rand);
}

static char *
put_hex (char    *out,
         guint64  value,
         guint    digits)
{
  for (guint i = digits; i > 0; i--)
    {
      out[i - 1] = "0123456789abcdef"[value & 0xf];
      value >>= 4;
    }
  return out + digits;
}

/* Writes the id into @out, which holds at least 37 bytes: 8-4-4-4-12
 * hexadecimal digits. By hand, since printf's parsing of its format was
 * a twentieth of the cost of creating a campaign. */
static void
row_ids_format_recipient (const RowIds *ids,
                          guint         position,
                          char         *out)
{
  out = put_hex (out, ids->created_ms >> 16, 8);
  *out++ = '-';
  out = put_hex (out, ids->created_ms & 0xffff, 4);
  *out++ = '-';
  out = put_hex (out, 0x7000 | (ids->random_a & 0xfff), 4);
  *out++ = '-';
  out = put_hex (out, 0x8000 | (ids->random_b & 0x3fff), 4);
  *out++ = '-';
  out = put_hex (out, (ids->random_b >> 16) & 0xffff, 4);
  out = put_hex (out, position, 8);
  *out = '\0';
}

/* Reading jobs */

static XiJob *
job_from_row (sqlite3_stmt *stmt)
{
  XiJob *job = _xi_job_new ();
  XiJobState state = XI_JOB_STATE_PENDING;

  job->id = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  job->name = g_strdup ((const char *)sqlite3_column_text (stmt, 1));
  job->template_id = g_strdup ((const char *)sqlite3_column_text (stmt, 2));
  job->group_id = g_strdup ((const char *)sqlite3_column_text (stmt, 3));
  xi_job_state_from_string ((const char *)sqlite3_column_text (stmt, 4), &state);
  job->state = state;
  job->delay_min_ms = sqlite3_column_int (stmt, 5);
  job->delay_max_ms = sqlite3_column_int (stmt, 6);
  job->batch_size = sqlite3_column_int (stmt, 7);
  job->batch_rest_ms = sqlite3_column_int (stmt, 8);
  job->daily_cap = sqlite3_column_int (stmt, 9);
  job->variant_mode = g_strcmp0 ((const char *)sqlite3_column_text (stmt, 10), "round_robin") == 0
                      ? XI_VARIANT_MODE_ROUND_ROBIN : XI_VARIANT_MODE_RANDOM;
  job->priority = sqlite3_column_int (stmt, 11);
  job->scheduled_at = unix_from_iso ((const char *)sqlite3_column_text (stmt, 12));
  job->total = sqlite3_column_int (stmt, 13);
  job->sent = sqlite3_column_int (stmt, 14);
  job->failed = sqlite3_column_int (stmt, 15);
  job->skipped = sqlite3_column_int (stmt, 16);
  job->delivered = sqlite3_column_int (stmt, 17);
  job->read = sqlite3_column_int (stmt, 18);
  job->created_at = g_strdup ((const char *)sqlite3_column_text (stmt, 19));
  job->started_at = g_strdup ((const char *)sqlite3_column_text (stmt, 20));
  job->finished_at = g_strdup ((const char *)sqlite3_column_text (stmt, 21));
  job->last_error = g_strdup ((const char *)sqlite3_column_text (stmt, 22));
  job->transport = g_strdup ((const char *)sqlite3_column_text (stmt, 23));
  job->asset_sha256 = g_strdup ((const char *)sqlite3_column_text (stmt, 24));
  job->asset_name = g_strdup ((const char *)sqlite3_column_text (stmt, 25));
  job->asset_mime_type = g_strdup ((const char *)sqlite3_column_text (stmt, 26));
  job->asset_size = sqlite3_column_int64 (stmt, 27);

  return job;
}

static XiJob *
load_job (XiStore     *self,
          const char  *id,
          GError     **error)
{
  return _xi_store_query_one (self,
                              "SELECT " JOB_COLUMNS " FROM jobs"
                              " WHERE master_user_id = ?1 AND id = ?2 AND deleted = 0",
                              id, (XiStoreRowFunc)job_from_row,
                              _("The campaign no longer exists."), error);
}

/* Quota */

static gboolean
load_quota (XiStore     *self,
            const char  *period,
            XiQuota     *quota,
            GError     **error)
{
  sqlite3_stmt *stmt;
  gint64 allowance = XI_QUOTA_DEFAULT_ALLOWANCE, used = 0, reserved = 0, running = 0;
  int rc;

  if (_xi_store_sync_load_quota (self, quota, error))
    {
      quota->period = g_strdup (period);
      return TRUE;
    }
  if (error != NULL && *error != NULL)
    return FALSE;

  stmt = _xi_store_prepare (self,
                            "SELECT allowance, used FROM user_quotas"
                            " WHERE master_user_id = ?1 AND period = ?2 AND deleted = 0",
                            error);
  if (stmt == NULL)
    return FALSE;
  _xi_store_bind_text (stmt, 1, self->master_user_id);
  _xi_store_bind_text (stmt, 2, period);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      allowance = sqlite3_column_int64 (stmt, 0);
      used = sqlite3_column_int64 (stmt, 1);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _xi_store_set_error (self, rc, error);
      return FALSE;
    }

  /* A running campaign's sent messages count as used at once, so the
   * numbers move while it sends; the rest of its reservation is held. */
  stmt = _xi_store_prepare (self,
                            "SELECT COALESCE (SUM (r.amount), 0), COALESCE (SUM (j.sent), 0)"
                            " FROM quota_reservations r JOIN jobs j ON j.id = r.job_id"
                            " WHERE r.master_user_id = ?1 AND r.period = ?2 AND r.state = 'reserved'"
                            " AND r.deleted = 0",
                            error);
  if (stmt == NULL)
    return FALSE;
  _xi_store_bind_text (stmt, 1, self->master_user_id);
  _xi_store_bind_text (stmt, 2, period);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      reserved = sqlite3_column_int64 (stmt, 0);
      running = MIN (sqlite3_column_int64 (stmt, 1), reserved);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    {
      _xi_store_set_error (self, rc, error);
      return FALSE;
    }

  quota->period = g_strdup (period);
  quota->allowance = CLAMP (allowance, 0, G_MAXUINT);
  quota->used = CLAMP (used + running, 0, G_MAXUINT);
  quota->reserved = CLAMP (reserved - running, 0, G_MAXUINT);
  quota->available = CLAMP (allowance - used - reserved, 0, G_MAXUINT);
  return TRUE;
}

/* Refused by the server's quota as last synced while its month is over
 * by this computer's clock: the next sync pass asks the server whether a
 * new month began, so the user learns to wait for it rather than only
 * that the quota is spent. */
static void
note_quota_unchecked (XiStore  *self,
                      GError  **error)
{
  if (!_xi_store_sync_quota_period_over (self, NULL))
    return;
  g_prefix_error (error, "%s ",
                  _("This month’s allowance is being checked with the server: try again after "
                    "the next sync. Until then, and while offline, the quota as last synced "
                    "counts."));
}

static void
set_quota_error (XiStore  *self,
                 GError  **error,
                 guint     amount,
                 guint     available)
{
  g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_QUOTA,
               ngettext ("This campaign needs %u message but only %u are left of this month’s "
                         "quota. Choose a smaller group or raise the quota in Preferences.",
                         "This campaign needs %u messages but only %u are left of this month’s "
                         "quota. Choose a smaller group or raise the quota in Preferences.",
                         amount),
               amount, available);
  note_quota_unchecked (self, error);
}

static gboolean
reserve_quota (XiStore     *self,
               const char  *job_id,
               guint        amount,
               const char  *now,
               GError     **error)
{
  g_autofree char *period = current_period ();
  g_autofree char *id = _xi_store_new_id ();
  XiQuota quota = { 0 };
  sqlite3_stmt *stmt;

  if (!load_quota (self, period, &quota, error))
    return FALSE;
  g_free (quota.period);

  if (amount > quota.available)
    {
      set_quota_error (self, error, amount, quota.available);
      return FALSE;
    }

  stmt = _xi_store_prepare (self,
                            "INSERT INTO quota_reservations (id, master_user_id, created_at,"
                            " updated_at, sync_status, job_id, period, amount)"
                            " VALUES (?1, ?2, ?3, ?3, 'synced', ?4, ?5, ?6)",
                            error);
  if (stmt == NULL)
    return FALSE;
  _xi_store_bind_text (stmt, 1, id);
  _xi_store_bind_text (stmt, 2, self->master_user_id);
  _xi_store_bind_text (stmt, 3, now);
  _xi_store_bind_text (stmt, 4, job_id);
  _xi_store_bind_text (stmt, 5, period);
  sqlite3_bind_int64 (stmt, 6, amount);
  if (!_xi_store_step_done (self, stmt, error))
    return FALSE;

  stmt = _xi_store_prepare (self, "UPDATE jobs SET quota_reservation_id = ?1 WHERE id = ?2", error);
  if (stmt == NULL)
    return FALSE;
  _xi_store_bind_text (stmt, 1, id);
  _xi_store_bind_text (stmt, 2, job_id);
  return _xi_store_step_done (self, stmt, error);
}

/* Turns a finished campaign's reservation into what it really used and
 * gives the rest back. */
static gboolean
settle_quota (XiStore     *self,
              XiJob       *job,
              const char  *now,
              GError     **error)
{
  g_autofree char *reservation_id = NULL;
  g_autofree char *period = NULL;
  g_autofree char *quota_id = _xi_store_new_id ();
  sqlite3_stmt *stmt;
  gint64 amount = 0;
  guint used;
  int rc;

  stmt = _xi_store_prepare (self,
                            "SELECT id, period, amount FROM quota_reservations"
                            " WHERE master_user_id = ?1 AND job_id = ?2 AND state = 'reserved'",
                            error);
  if (stmt == NULL)
    return FALSE;
  _xi_store_bind_text (stmt, 1, self->master_user_id);
  _xi_store_bind_text (stmt, 2, job->id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      reservation_id = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
      period = g_strdup ((const char *)sqlite3_column_text (stmt, 1));
      amount = sqlite3_column_int64 (stmt, 2);
    }
  sqlite3_reset (stmt);
  if (rc == SQLITE_DONE)
    return TRUE;
  if (rc != SQLITE_ROW)
    {
      _xi_store_set_error (self, rc, error);
      return FALSE;
    }

  used = MIN (job->sent, amount);

  stmt = _xi_store_prepare (self,
                            "UPDATE quota_reservations SET state = ?1, committed = ?2, released = ?3,"
                            " updated_at = ?4, version = version + 1 WHERE id = ?5",
                            error);
  if (stmt == NULL)
    return FALSE;
  _xi_store_bind_text (stmt, 1, used > 0 ? "committed" : "released");
  sqlite3_bind_int64 (stmt, 2, used);
  sqlite3_bind_int64 (stmt, 3, amount - used);
  _xi_store_bind_text (stmt, 4, now);
  _xi_store_bind_text (stmt, 5, reservation_id);
  if (!_xi_store_step_done (self, stmt, error))
    return FALSE;

  stmt = _xi_store_prepare (self,
                            "INSERT INTO user_quotas (id, master_user_id, created_at, updated_at,"
                            " sync_status, period, allowance, used)"
                            " VALUES (?1, ?2, ?3, ?3, 'synced', ?4, ?5, ?6)"
                            " ON CONFLICT (master_user_id, period) DO UPDATE SET"
                            " used = used + excluded.used, updated_at = excluded.updated_at,"
                            " version = version + 1",
                            error);
  if (stmt == NULL)
    return FALSE;
  _xi_store_bind_text (stmt, 1, quota_id);
  _xi_store_bind_text (stmt, 2, self->master_user_id);
  _xi_store_bind_text (stmt, 3, now);
  _xi_store_bind_text (stmt, 4, period);
  sqlite3_bind_int64 (stmt, 5, XI_QUOTA_DEFAULT_ALLOWANCE);
  sqlite3_bind_int64 (stmt, 6, used);
  return _xi_store_step_done (self, stmt, error);
}

/* Planning: one walk over the targeted contacts, shared by the preview
 * and the creation so that both always agree. */

/* A contact's values for the template. The custom fields are the few the
 * template names, taken out of the stored JSON by SQLite as the contact is
 * read; a template that uses none reads none. */
typedef struct
{
  const char          *name;
  const char          *phone;
  const char * const  *custom_names;
  const char         **custom_values;
} RecipientVars;

static const char *
recipient_lookup (const char *variable,
                  gpointer    user_data)
{
  RecipientVars *vars = user_data;

  if (g_str_equal (variable, "name"))
    return vars->name != NULL && vars->name[0] != '\0' ? vars->name : NULL;
  if (g_str_equal (variable, "phone"))
    return vars->phone;
  if (g_str_equal (variable, "first_name"))
    return NULL;

  for (guint i = 0; vars->custom_names[i] != NULL; i++)
    if (g_str_equal (variable, vars->custom_names[i]))
      return vars->custom_values[i];
  return NULL;
}

/* The contact's strings are the planner's (Planner.strings) and live as
 * long as it does; the text is the row's. */
typedef struct
{
  const char    *contact_id;
  const char    *name;
  const char    *phone;
  XiSkipReason   skip;
  guint          variant;
  char          *text;
} PlannedRecipient;

typedef gboolean (*PlanRowFunc) (XiStore           *self,
                                 PlannedRecipient  *row,
                                 guint              position,
                                 gpointer           user_data,
                                 GError           **error);

typedef struct
{
  XiTemplate      *template_;
  XiAsset         *asset;           /* the template's attachment, or NULL */
  GPtrArray       *variants;        /* XiTemplateText */
  GHashTable      *suppressed;      /* phone set */
  GHashTable      *missing;         /* variable set */
  GRand           *rand;
  char           **custom_names;    /* the custom fields the variants use */
  GPtrArray       *too_long;        /* char *, who would get too long a message */
  guint            n_too_long;
  gsize            longest_source;  /* bytes of the longest variant */
  guint            most_values;     /* the most variables one variant fills in */
  GPtrArray       *needed;          /* const char *, the variables some use has no fallback for */
  guint            expected;        /* at least the targeted contacts when known, or 0 */
  GStringChunk    *strings;         /* the walked contacts' strings */
} Planner;

static void
planner_clear (Planner *planner)
{
  g_clear_object (&planner->template_);
  g_clear_object (&planner->asset);
  g_clear_pointer (&planner->variants, g_ptr_array_unref);
  g_clear_pointer (&planner->suppressed, g_hash_table_unref);
  g_clear_pointer (&planner->missing, g_hash_table_unref);
  g_clear_pointer (&planner->rand, g_rand_free);
  g_clear_pointer (&planner->custom_names, g_strfreev);
  g_clear_pointer (&planner->too_long, g_ptr_array_unref);
  g_clear_pointer (&planner->needed, g_ptr_array_unref);
  g_clear_pointer (&planner->strings, g_string_chunk_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Planner, planner_clear)

static XiTemplate *
load_template_for_job (XiStore     *self,
                       const char  *template_id,
                       GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  XiTemplate *template_;

  if (template_id == NULL)
    {
      g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID, _("Choose a template to send."));
      return NULL;
    }

  template_ = _xi_store_load_template (self, template_id, &local_error);
  if (g_error_matches (local_error, XI_STORE_ERROR, XI_STORE_ERROR_NOT_FOUND))
    g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_NOT_FOUND,
                 _("The template no longer exists. Choose another one."));
  else if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return template_;
}

/* Numbers whose latest suppression event is an opt-out, including those
 * of contacts deleted since: an opt-out outlives the contact. */
static GHashTable *
load_suppressed (XiStore  *self,
                 GError  **error)
{
  g_autoptr(GHashTable) phones = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  sqlite3_stmt *stmt;
  int rc;

  stmt = _xi_store_prepare (self,
                            "SELECT phone FROM suppression_events s WHERE master_user_id = ?1"
                            " AND deleted = 0 AND event = 'opt_out' AND NOT EXISTS ("
                            "  SELECT 1 FROM suppression_events t WHERE t.master_user_id = s.master_user_id"
                            "  AND t.phone = s.phone AND t.deleted = 0 AND t.created_at > s.created_at)",
                            error);
  if (stmt == NULL)
    return NULL;
  _xi_store_bind_text (stmt, 1, self->master_user_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_add (phones, g_strdup ((const char *)sqlite3_column_text (stmt, 0)));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _xi_store_set_error (self, rc, error);
      return NULL;
    }
  return g_steal_pointer (&phones);
}

/* The variables of @variants that are not built in, each once. */
static char **
custom_variables (GPtrArray *variants)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char * const *builtins = xi_template_builtin_variables ();

  for (guint v = 0; v < variants->len; v++)
    {
      char **used = xi_template_text_get_variables (g_ptr_array_index (variants, v));

      for (guint i = 0; used[i] != NULL; i++)
        if (!g_strv_contains (builtins, used[i]) &&
            !g_ptr_array_find_with_equal_func (names, used[i], g_str_equal, NULL))
          g_ptr_array_add (names, g_strdup (used[i]));
    }
  g_ptr_array_add (names, NULL);
  return (char **)g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

static guint
count_char (const char *text,
            char        c)
{
  guint n = 0;

  for (const char *p = strchr (text, c); p != NULL; p = strchr (p + 1, c))
    n++;
  return n;
}

static gboolean
planner_init (Planner          *planner,
              XiStore          *self,
              const XiJobSpec  *spec,
              GError          **error)
{
  const char * const *sources;

  if (spec->group_id == NULL && spec->contact_ids == NULL)
    {
      g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID,
                   _("Choose a group or some contacts to send to."));
      return FALSE;
    }
  if (spec->delay_max_ms < spec->delay_min_ms)
    {
      g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID,
                   _("The longest delay is shorter than the shortest one. Swap them."));
      return FALSE;
    }

  planner->template_ = load_template_for_job (self, spec->template_id, error);
  if (planner->template_ == NULL)
    return FALSE;
  if (xi_template_get_asset_id (planner->template_) != NULL)
    {
      planner->asset = _xi_store_load_asset (self, xi_template_get_asset_id (planner->template_), error);
      if (planner->asset == NULL)
        return FALSE;
      if (xi_asset_get_path (planner->asset) == NULL ||
          !g_file_test (xi_asset_get_path (planner->asset), G_FILE_TEST_IS_REGULAR))
        {
          g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_NOT_FOUND,
                       _("The attachment “%s” is not on this computer. Add the file to the assets "
                         "here and attach it to the template again."),
                       xi_asset_get_name (planner->asset));
          return FALSE;
        }
    }

  planner->variants = g_ptr_array_new_with_free_func ((GDestroyNotify)xi_template_text_unref);
  sources = xi_template_get_variants (planner->template_);
  /* Saving a template checks this, but another program or an older
   * version may have stored more: a variant of 10 MB measured again for
   * every recipient kept the store busy for hours before saying no. */
  if (!xi_limit_check_variants (sources, error))
    return FALSE;
  for (guint i = 0; sources != NULL && sources[i] != NULL; i++)
    {
      g_autoptr(GError) local_error = NULL;
      XiTemplateText *text = xi_template_text_parse (sources[i], NULL, &local_error);

      if (text == NULL)
        {
          g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID,
                       _("Variant %u of the template has a mistake: %s"), i + 1,
                       local_error->message);
          return FALSE;
        }
      g_ptr_array_add (planner->variants, text);

      /* Each variable is written between braces. */
      planner->longest_source = MAX (planner->longest_source, strlen (sources[i]));
      planner->most_values = MAX (planner->most_values, count_char (sources[i], '{'));
    }
  if (planner->variants->len == 0)
    {
      g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID,
                   _("The template has no text. Write a message first."));
      return FALSE;
    }

  planner->suppressed = load_suppressed (self, error);
  if (planner->suppressed == NULL)
    return FALSE;
  planner->missing = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  planner->rand = g_rand_new ();
  planner->custom_names = custom_variables (planner->variants);
  planner->too_long = g_ptr_array_new_with_free_func (g_free);

  planner->needed = g_ptr_array_new ();
  for (guint v = 0; v < planner->variants->len; v++)
    {
      XiTemplateText *text = g_ptr_array_index (planner->variants, v);
      char **used = xi_template_text_get_variables (text);

      /* The names belong to the variants, which the planner keeps. */
      for (guint i = 0; used[i] != NULL; i++)
        if (xi_template_text_needs_value (text, used[i]) &&
            !g_ptr_array_find_with_equal_func (planner->needed, used[i], g_str_equal, NULL))
          g_ptr_array_add (planner->needed, used[i]);
    }
  return TRUE;
}

/* Contacts named in an error before the rest are only counted. */
#define TOO_LONG_NAMED 10

/* More characters than any variant can give this recipient: the text
 * and fallbacks of its source, and at most each value (a number with its
 * "+") where a variable stands. Measuring every variant exactly was a
 * fifth of the cost of creating a campaign, for messages far shorter
 * than the limit. */
static gsize
message_length_bound (Planner       *planner,
                      RecipientVars *vars,
                      guint          n_custom)
{
  gsize longest = MAX (vars->name != NULL ? strlen (vars->name) : 0, strlen (vars->phone) + 1);

  for (guint i = 0; i < n_custom; i++)
    if (vars->custom_values[i] != NULL)
      longest = MAX (longest, strlen (vars->custom_values[i]));
  return planner->longest_source + (gsize)planner->most_values * longest;
}

/* Whether some variant, with some option of each choice, gives this
 * recipient a message longer than WhatsApp takes; such a recipient is
 * remembered for the error that stops the campaign. */
static gboolean
check_message_length (Planner         *planner,
                      RecipientVars   *vars,
                      guint            n_custom)
{
  if (message_length_bound (planner, vars, n_custom) <= XI_LIMIT_MESSAGE_CHARS)
    return TRUE;

  for (guint v = 0; v < planner->variants->len; v++)
    {
      XiTemplateText *text = g_ptr_array_index (planner->variants, v);

      if (xi_template_text_get_max_chars (text, recipient_lookup, vars) > XI_LIMIT_MESSAGE_CHARS)
        {
          if (planner->too_long->len < TOO_LONG_NAMED)
            g_ptr_array_add (planner->too_long,
                             vars->name != NULL && vars->name[0] != '\0'
                             ? g_strdup (vars->name)
                             : xi_phone_format_international (vars->phone));
          planner->n_too_long++;
          return FALSE;
        }
    }
  return TRUE;
}

static void
set_too_long_error (Planner  *planner,
                    GError  **error)
{
  g_autoptr(GString) names = g_string_new (NULL);

  for (guint i = 0; i < planner->too_long->len; i++)
    g_string_append_printf (names, "%s%s", i > 0 ? ", " : "",
                            (const char *)g_ptr_array_index (planner->too_long, i));
  if (planner->n_too_long > planner->too_long->len)
    g_string_append_printf (names, ngettext (" and %u other", " and %u others",
                                             planner->n_too_long - planner->too_long->len),
                            planner->n_too_long - planner->too_long->len);

  g_set_error (error, XI_LIMIT_ERROR, XI_LIMIT_ERROR_TOO_LONG,
               ngettext ("For %u contact the message can be longer than %u characters, more than "
                         "WhatsApp accepts: %s. Shorten the template, or what this contact has in "
                         "the fields it uses.",
                         "For %u contacts the message can be longer than %u characters, more than "
                         "WhatsApp accepts: %s. Shorten the template, or what these contacts have "
                         "in the fields it uses.",
                         planner->n_too_long),
               planner->n_too_long, XI_LIMIT_MESSAGE_CHARS, names->str);
}

/*
 * The numbers a walk has given to a recipient, as integers: a valid
 * number has at most 15 digits (E.164), so its digits and how many there
 * are fit in 64 bits. Finding one in this open-addressed table reads one
 * slot; a GHashTable of strings read the number itself again, wherever
 * its row had been copied to, which once the rows were sorted by name was
 * a cache miss per recipient (a tenth of creating a campaign of 100,000).
 * A key is never 0, which marks a free slot.
 */
typedef struct
{
  guint64  *slots;
  guint     bits;
  gsize     used;
} NumberSet;

#define NUMBER_SET_MIN_BITS 10

static void
number_set_init (NumberSet *set)
{
  set->bits = NUMBER_SET_MIN_BITS;
  set->slots = g_new0 (guint64, (gsize)1 << set->bits);
  set->used = 0;
}

static void
number_set_clear (NumberSet *set)
{
  g_clear_pointer (&set->slots, g_free);
}

static gsize
number_set_slot (const NumberSet *set,
                 guint64          key)
{
  return (key * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15)) >> (64 - set->bits);
}

static gboolean
number_set_insert (NumberSet *set,
                   guint64    key)
{
  gsize mask = ((gsize)1 << set->bits) - 1;

  for (gsize i = number_set_slot (set, key); ; i = (i + 1) & mask)
    {
      if (set->slots[i] == key)
        return FALSE;
      if (set->slots[i] == 0)
        {
          set->slots[i] = key;
          set->used++;
          return TRUE;
        }
    }
}

/* Adds @key; FALSE when it was there already. Three quarters full at most. */
static gboolean
number_set_add (NumberSet *set,
                guint64    key)
{
  if (set->used + 1 > ((gsize)3 << set->bits) / 4)
    {
      g_autofree guint64 *old = set->slots;
      gsize n_old = (gsize)1 << set->bits;

      set->bits++;
      set->slots = g_new0 (guint64, (gsize)1 << set->bits);
      set->used = 0;
      for (gsize i = 0; i < n_old; i++)
        if (old[i] != 0)
          number_set_insert (set, old[i]);
    }
  return number_set_insert (set, key);
}

/* The key of a number of digits only: FALSE past 15 digits, which no
 * valid number has. The count keeps "0812" and "812" apart. */
static gboolean
number_key (const char *digits,
            guint64    *key)
{
  guint64 value = 0;
  gsize len;

  for (len = 0; digits[len] != '\0'; len++)
    {
      if (len == 15)
        return FALSE;
      value = value * 10 + (guint64)(digits[len] - '0');
    }
  *key = value << 4 | len;
  return len > 0;
}

/* What a contact's own row decides, as it is read: opted out (here, or
 * by an event that outlived a deleted contact with the number) or an
 * invalid number. Which of two contacts with one number gets it depends
 * on the order of the walk, so that is decided there. */
static XiSkipReason
row_skip_reason (Planner     *planner,
                 const char  *phone,
                 gboolean     opted_out,
                 guint64     *number)
{
  if (opted_out ||
      (g_hash_table_size (planner->suppressed) > 0 && g_hash_table_contains (planner->suppressed, phone)))
    return XI_SKIP_REASON_OPTED_OUT;
  if (!xi_phone_is_valid (phone) || !number_key (phone, number))
    return XI_SKIP_REASON_INVALID_NUMBER;
  return XI_SKIP_REASON_NONE;
}

static gboolean
has_word (const char *text)
{
  for (const char *p = text; p != NULL && *p != '\0'; p = g_utf8_next_char (p))
    if (!g_unichar_isspace (g_utf8_get_char (p)))
      return TRUE;
  return FALSE;
}

/* Notes the variables this recipient has no value for where a variant
 * has no fallback: the gaps a preview warns of, found without rendering
 * the message, whichever variant and options it would get. */
static void
note_missing (Planner       *planner,
              RecipientVars *vars)
{
  for (guint i = 0; i < planner->needed->len; i++)
    {
      const char *name = g_ptr_array_index (planner->needed, i);
      gboolean has_value;

      if (g_str_equal (name, "first_name"))
        has_value = has_word (vars->name);
      else
        {
          const char *value = recipient_lookup (name, vars);

          has_value = value != NULL && value[0] != '\0';
        }
      if (!has_value && !g_hash_table_contains (planner->missing, name))
        g_hash_table_add (planner->missing, g_strdup (name));
    }
}

/* The query of plan_walk(): the targeted contacts, with their sort key
 * and, when the template uses any, their custom fields, in no particular
 * order. */
static char *
walk_sql (const XiJobSpec *spec,
          guint            n_custom)
{
  GString *sql = g_string_new ("SELECT c.id, c.name, c.phone, c.opted_out, c.on_whatsapp, c.sort_key");

  if (n_custom > 0)
    g_string_append (sql, ", c.custom_fields");
  if (spec->group_id != NULL)
    g_string_append (sql, " FROM group_members m JOIN contacts c ON c.id = m.contact_id"
                     " WHERE m.master_user_id = ?1 AND m.group_id = ?2 AND m.deleted = 0"
                     " AND c.deleted = 0");
  else
    g_string_append (sql, " FROM contacts c WHERE c.master_user_id = ?1 AND c.deleted = 0");
  return g_string_free (sql, FALSE);
}

/* Bytes of a sort key and of a number kept in the contact itself: enough
 * for most names and every valid number, so sorting compares records
 * side by side instead of following a pointer to each string, a cache
 * miss per comparison. Names repeat (many a "Budi Santoso"), so numbers
 * are compared often. */
#define KEY_PREFIX 24
#define PHONE_PREFIX 16

/* A targeted contact as plan_walk() reads it. */
typedef struct
{
  char          key_prefix[KEY_PREFIX];      /* the sort key's first bytes, zero padded */
  char          phone_prefix[PHONE_PREFIX];  /* the number's, likewise */
  const char   *contact_id;
  const char   *name;
  const char   *phone;
  const char   *sort_key;
  const char  **custom_values;
  guint         first_value;  /* of custom_values, while rows are still read */
  guint64       number;       /* number_key () of the phone, when it is valid */
  XiSkipReason  skip;         /* row_skip_reason () */
  int           on_whatsapp;
} WalkContact;

/* The row @stmt is on; the strings are the statement's until its next
 * step, the custom values @fields' until its next read. */
static gboolean
walk_contact_from_row (sqlite3_stmt        *stmt,
                       Planner             *planner,
                       XiStoreFieldReader  *fields,
                       WalkContact         *contact,
                       GError             **error)
{
  contact->name = (const char *)sqlite3_column_text (stmt, 1);
  contact->phone = (const char *)sqlite3_column_text (stmt, 2);
  contact->skip = row_skip_reason (planner, contact->phone, sqlite3_column_int (stmt, 3), &contact->number);
  contact->on_whatsapp = sqlite3_column_int (stmt, 4);
  contact->sort_key = (const char *)sqlite3_column_text (stmt, 5);
  if (fields == NULL)
    return TRUE;
  contact->custom_values = _xi_store_field_reader_read (fields, (const char *)sqlite3_column_text (stmt, 6),
                                                        error);
  return contact->custom_values != NULL;
}

/* The order of the contact list, as the ORDER BY of contacts_order
 * compares: bytes of the sort key, then of the number. */
static gint
compare_walk_contacts (gconstpointer a,
                       gconstpointer b)
{
  const WalkContact *first = a, *second = b;
  int order = memcmp (first->key_prefix, second->key_prefix, KEY_PREFIX);

  /* Zero padding orders a shorter key first, as strcmp () does; equal
   * prefixes with a zero at the end are equal keys. */
  if (order != 0)
    return order;
  if (first->key_prefix[KEY_PREFIX - 1] != '\0')
    order = strcmp (first->sort_key, second->sort_key);
  if (order != 0)
    return order;

  order = memcmp (first->phone_prefix, second->phone_prefix, PHONE_PREFIX);
  if (order != 0 || first->phone_prefix[PHONE_PREFIX - 1] == '\0')
    return order;
  return strcmp (first->phone, second->phone);
}

typedef struct
{
  Planner          *planner;
  const XiJobSpec  *spec;
  guint             n_render;
  PlanRowFunc       func;
  gpointer          user_data;
  guint             n_custom;
  NumberSet         seen;      /* the numbers given to a recipient so far */
  guint             position;
  guint             eligible;
} Walk;

/* Decides what one targeted contact gets and hands it to the walk's
 * function. */
static gboolean
walk_contact (XiStore            *self,
              Walk               *walk,
              const WalkContact  *contact,
              GError            **error)
{
  Planner *planner = walk->planner;
  PlannedRecipient row = { 0 };
  gboolean ok;

  row.contact_id = contact->contact_id;
  row.name = contact->name;
  row.phone = contact->phone;
  if (contact->skip != XI_SKIP_REASON_NONE)
    row.skip = contact->skip;
  else if (!number_set_add (&walk->seen, contact->number))
    row.skip = XI_SKIP_REASON_DUPLICATE;
  else if (contact->on_whatsapp == XI_ON_WHATSAPP_NO)
    row.skip = XI_SKIP_REASON_NOT_ON_WHATSAPP;
  if (walk->func == NULL)
    {
      walk->eligible += row.skip == XI_SKIP_REASON_NONE;
      return TRUE;
    }

  if (row.skip == XI_SKIP_REASON_NONE)
    {
      RecipientVars vars = {
        .name = row.name,
        .phone = row.phone,
        .custom_names = (const char * const *)planner->custom_names,
        .custom_values = contact->custom_values,
      };

      if (walk->spec->variant_mode == XI_VARIANT_MODE_ROUND_ROBIN)
        row.variant = walk->eligible % planner->variants->len;
      else
        row.variant = g_rand_int_range (planner->rand, 0, planner->variants->len);

      if (!check_message_length (planner, &vars, walk->n_custom))
        return TRUE;
      note_missing (planner, &vars);

      if (walk->eligible < walk->n_render)
        {
          row.text = xi_template_text_render (g_ptr_array_index (planner->variants, row.variant),
                                              recipient_lookup, &vars, planner->rand, NULL,
                                              error);
          if (row.text == NULL)
            return FALSE;
        }
      walk->eligible++;
    }

  ok = walk->func (self, &row, ++walk->position, walk->user_data, error);
  g_free (row.text);
  return ok;
}

/* A count that has passed what it is compared with goes on to this many
 * contacts, so that a refusal names how many messages the campaign
 * needs; past it, the contacts were read only to say no (22 s for
 * 10,000,000 that were never going to fit). */
#define EXACT_COUNT_ROWS 50000

/* Walks the targeted contacts in the order the contact list shows them
 * (by name, then number), so a report reads like the list; deciding for
 * each whether it is skipped and, when it is sent, what it gets: the
 * message of the first @n_render of them is rendered. With no @func it
 * only counts, in @n_eligible, who would be sent to; order does not
 * matter then, since a live number belongs to one contact and no two
 * rows compete for it. The count stops once it is past @n_render and
 * EXACT_COUNT_ROWS contacts were read, and is G_MAXUINT then.
 *
 * The contacts are sorted here rather than by SQLite: its sort of a
 * group of 100,000 cost twice what reading them did (bench-campaign),
 * and walking contacts_order instead reads the table in an order of
 * names that has nothing to do with where the rows are. */
static gboolean
plan_walk (XiStore          *self,
           Planner          *planner,
           const XiJobSpec  *spec,
           guint             n_render,
           PlanRowFunc       func,
           gpointer          user_data,
           guint            *n_eligible,
           GError          **error)
{
  g_autoptr(GHashTable) wanted = NULL;
  g_autoptr(GArray) sorted = NULL;
  g_autoptr(GPtrArray) sorted_values = NULL;
  guint n_custom = func != NULL ? g_strv_length (planner->custom_names) : 0;
  g_autofree char *sql = walk_sql (spec, n_custom);
  g_autoptr(XiStoreFieldReader) fields = NULL;
  const char *no_values[] = { NULL };
  Walk walk = {
    .planner = planner,
    .spec = spec,
    .n_render = n_render,
    .func = func,
    .user_data = user_data,
    .n_custom = n_custom,
  };
  sqlite3_stmt *stmt = NULL;
  gboolean ok = FALSE;
  guint n_read = 0;
  int rc;

  /* The SQL depends on the template, so it is not one of the store's
   * cached statements. */
  rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      _xi_store_set_error (self, rc, error);
      return FALSE;
    }
  number_set_init (&walk.seen);
  _xi_store_bind_text (stmt, 1, self->master_user_id);
  if (spec->group_id != NULL)
    _xi_store_bind_text (stmt, 2, spec->group_id);
  else
    {
      wanted = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint i = 0; spec->contact_ids[i] != NULL; i++)
        g_hash_table_add (wanted, spec->contact_ids[i]);
    }
  if (n_custom > 0)
    fields = _xi_store_field_reader_new (self, (const char * const *)planner->custom_names);

  if (func != NULL)
    {
      /* A row handed to @func may keep them until the planner goes. */
      if (planner->strings == NULL)
        planner->strings = g_string_chunk_new (64 * 1024);
      /* Grown by doubling, 100,000 contacts were copied and faulted in
       * six times over. The estimate may be the largest rowid of all
       * contacts, so it reserves no more than a large campaign needs. */
      sorted = g_array_sized_new (FALSE, FALSE, sizeof (WalkContact), MIN (planner->expected, 1 << 18));
      sorted_values = g_ptr_array_new ();
    }

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      WalkContact contact = { .custom_values = no_values };

      contact.contact_id = (const char *)sqlite3_column_text (stmt, 0);
      if (wanted != NULL && !g_hash_table_contains (wanted, contact.contact_id))
        continue;
      if (!walk_contact_from_row (stmt, planner, fields, &contact, error))
        goto out;
      if (sorted == NULL)
        {
          if (!walk_contact (self, &walk, &contact, error))
            goto out;
          if (++n_read >= EXACT_COUNT_ROWS && walk.eligible > n_render)
            {
              walk.eligible = G_MAXUINT;
              break;
            }
          continue;
        }

      /* The custom values are placed once every row is in. */
      contact.contact_id = g_string_chunk_insert (planner->strings, contact.contact_id);
      contact.name = contact.name != NULL ? g_string_chunk_insert (planner->strings, contact.name) : NULL;
      contact.phone = g_string_chunk_insert (planner->strings, contact.phone);
      contact.sort_key = g_string_chunk_insert (planner->strings,
                                                contact.sort_key != NULL ? contact.sort_key : "");
      memcpy (contact.key_prefix, contact.sort_key, strnlen (contact.sort_key, KEY_PREFIX));
      memcpy (contact.phone_prefix, contact.phone, strnlen (contact.phone, PHONE_PREFIX));
      for (guint i = 0; i < n_custom; i++)
        g_ptr_array_add (sorted_values,
                         contact.custom_values[i] != NULL
                         ? g_string_chunk_insert (planner->strings, contact.custom_values[i]) : NULL);
      contact.first_value = sorted->len * n_custom;
      g_array_append_val (sorted, contact);
    }
  if (rc != SQLITE_DONE && walk.eligible != G_MAXUINT)
    {
      _xi_store_set_error (self, rc, error);
      goto out;
    }

  if (sorted != NULL)
    {
      for (guint i = 0; i < sorted->len; i++)
        {
          WalkContact *contact = &g_array_index (sorted, WalkContact, i);

          contact->custom_values = (const char **)sorted_values->pdata + contact->first_value;
        }
      g_array_sort (sorted, compare_walk_contacts);
      for (guint i = 0; i < sorted->len; i++)
        if (!walk_contact (self, &walk, &g_array_index (sorted, WalkContact, i), error))
          goto out;
    }

  if (planner->n_too_long > 0)
    {
      set_too_long_error (planner, error);
      goto out;
    }
  if (n_eligible != NULL)
    *n_eligible = walk.eligible;
  ok = TRUE;

out:
  sqlite3_finalize (stmt);
  number_set_clear (&walk.seen);
  return ok;
}

typedef struct
{
  XiJobSpec  *spec;
  guint       n_samples;
} PlanOp;

static void
plan_op_free (PlanOp *op)
{
  xi_job_spec_free (op->spec);
  g_free (op);
}

static gboolean
plan_row (XiStore           *self,
          PlannedRecipient  *row,
          guint              position,
          gpointer           user_data,
          GError           **error)
{
  gpointer *closure = user_data;
  XiJobPlan *plan = closure[0];
  guint n_samples = GPOINTER_TO_UINT (closure[1]);

  plan->targeted++;
  plan->skipped[row->skip]++;
  if (row->skip != XI_SKIP_REASON_NONE)
    return TRUE;

  plan->eligible++;
  if (plan->samples->len < n_samples)
    {
      XiJobSample *sample = g_new0 (XiJobSample, 1);

      sample->name = g_strdup (row->name);
      sample->phone = g_strdup (row->phone);
      sample->text = g_steal_pointer (&row->text);
      g_ptr_array_add (plan->samples, sample);
    }
  return TRUE;
}

static void
plan_job_func (XiStore  *self,
               GTask    *task,
               gpointer  data)
{
  PlanOp *op = data;
  g_auto(Planner) planner = { 0 };
  g_autoptr(XiJobPlan) plan = xi_job_plan_new ();
  g_autofree char *period = current_period ();
  gpointer closure[2] = { plan, GUINT_TO_POINTER (op->n_samples) };
  XiQuota quota = { 0 };
  GError *error = NULL;

  if (!planner_init (&planner, self, op->spec, &error) ||
      !plan_walk (self, &planner, op->spec, op->n_samples, plan_row, closure, NULL, &error) ||
      !load_quota (self, period, &quota, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_free (quota.period);

  plan->skipped[XI_SKIP_REASON_NONE] = 0;
  plan->quota_allowance = quota.allowance;
  plan->quota_available = quota.available;
  plan->missing_variables = (char **)g_hash_table_get_keys_as_array (planner.missing, NULL);
  g_hash_table_steal_all (planner.missing);
  plan->attachment = planner.asset != NULL ? g_object_ref (planner.asset) : NULL;

  g_task_return_pointer (task, g_steal_pointer (&plan), (GDestroyNotify)xi_job_plan_free);
}

/**
 * xi_store_plan_job_async:
 * @self: a #XiStore
 * @spec: what the user chose so far
 * @n_samples: how many recipients' messages to render for a preview
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Works out what a campaign would do, exactly as creating it would,
 * without writing anything.
 */
void
xi_store_plan_job_async (XiStore             *self,
                         const XiJobSpec     *spec,
                         guint                n_samples,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  PlanOp *op;

  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (spec != NULL);

  op = g_new0 (PlanOp, 1);
  op->spec = xi_job_spec_copy (spec);
  op->n_samples = n_samples;
  _xi_store_push_read (self, plan_job_func, op, (GDestroyNotify)plan_op_free,
                       xi_store_plan_job_async, cancellable, callback, user_data);
}

/**
 * xi_store_plan_job_finish:
 *
 * Returns: (transfer full): the plan
 */
XiJobPlan *
xi_store_plan_job_finish (XiStore       *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Creation */

/* Recipients written by one INSERT: the statement's per-row overhead
 * then counts once per this many rows (ten parameters each). */
#define INSERT_BATCH 64

/* A recipient waiting for its INSERT; its text is in the state's chunk,
 * the contact's strings are the planner's, and both outlive the row. */
typedef struct
{
  char          id[40];
  const char   *contact_id;
  const char   *phone;
  const char   *name;
  const char   *text;
  guint         position;
  guint         variant;
  XiSkipReason  skip;
} StagedRecipient;

typedef struct
{
  const char       *job_id;
  const char       *now;
  RowIds            ids;
  guint             total;
  guint             eligible;
  guint             skipped;
  StagedRecipient   staged[INSERT_BATCH];
  guint             n_staged;
  GStringChunk     *strings;
  const XiJobSpec  *spec;
  guint             expected;      /* at least the targeted contacts */
  gboolean          counted;       /* @expected is their exact number */
  guint64           text_bytes;    /* of the messages staged so far */
  guint64           room;          /* free on the disk before the campaign */
} CreateState;

static void
create_state_clear (CreateState *state)
{
  state->n_staged = 0;
  g_clear_pointer (&state->strings, g_string_chunk_free);
}

typedef void (*AppendRowFunc) (GString *sql,
                               guint    row);

/* A statement about @n_rows rows: @head, each row's part joined by commas,
 * @tail. Built once into @slot, so the store's statement cache, which is
 * keyed by the text's address, keeps it. */
static const char *
rows_sql (char          **slot,
          const char     *head,
          AppendRowFunc   append_row,
          guint           n_rows,
          const char     *tail)
{
  if (g_once_init_enter (slot))
    {
      GString *sql = g_string_new (head);

      for (guint i = 0; i < n_rows; i++)
        {
          if (i > 0)
            g_string_append (sql, ", ");
          append_row (sql, i);
        }
      g_string_append (sql, tail);
      g_once_init_leave (slot, g_string_free (sql, FALSE));
    }
  return *slot;
}

static void
append_recipient_values (GString *sql,
                         guint    row)
{
  guint p = 4 + 10 * row;

  g_string_append_printf (sql, "(?%u, ?1, ?2, ?2, ?3, ?%u, ?%u, ?%u, ?%u, ?%u, ?%u, ?%u, ?%u, ?%u)",
                          p, p + 1, p + 2, p + 3, p + 4, p + 5, p + 6, p + 7, p + 8, p + 9);
}

/* The INSERT of @n_rows recipients: ?1 is the account, ?2 the time, ?3 the
 * campaign, then ten parameters per row. */
static const char *
insert_recipients_sql (guint n_rows)
{
  static char *one, *batch;

  g_assert (n_rows == 1 || n_rows == INSERT_BATCH);

  return rows_sql (n_rows == 1 ? &one : &batch,
                   "INSERT INTO job_recipients (id, master_user_id, created_at,"
                   " updated_at, job_id, contact_id, position, phone, name, state,"
                   " skip_reason, wa_message_id, variant_index, rendered_text) VALUES ",
                   append_recipient_values, n_rows, "");
}

static void
bind_staged (sqlite3_stmt          *stmt,
             guint                  first,
             const StagedRecipient  *staged)
{
  /* Everything bound lives until the statement runs, so nothing is
   * copied again. */
  sqlite3_bind_text (stmt, first, staged->id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, first + 1, staged->contact_id, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, first + 2, staged->position);
  sqlite3_bind_text (stmt, first + 3, staged->phone, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, first + 4, staged->name, -1, SQLITE_STATIC);
  if (staged->skip == XI_SKIP_REASON_NONE)
    {
      sqlite3_bind_text (stmt, first + 5, "pending", -1, SQLITE_STATIC);
      sqlite3_bind_null (stmt, first + 6);
      sqlite3_bind_null (stmt, first + 7);
      sqlite3_bind_int (stmt, first + 8, staged->variant);
      sqlite3_bind_text (stmt, first + 9, staged->text, -1, SQLITE_STATIC);
    }
  else
    {
      sqlite3_bind_text (stmt, first + 5, "skipped", -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, first + 6, xi_skip_reason_to_string (staged->skip), -1, SQLITE_STATIC);
      sqlite3_bind_null (stmt, first + 7);
      sqlite3_bind_null (stmt, first + 8);
      sqlite3_bind_null (stmt, first + 9);
    }
}

/* SQLite writes the texts twice before the WAL is emptied again: into the
 * WAL, then into the database file. */
#define TEXT_DISK_FACTOR 2

static guint64
free_space (const char *db_path)
{
  g_autoptr(GFile) file = g_file_new_for_path (db_path);
  g_autoptr(GFile) folder = g_file_get_parent (file);
  g_autoptr(GFileInfo) info = g_file_query_filesystem_info (folder, G_FILE_ATTRIBUTE_FILESYSTEM_FREE, NULL, NULL);

  if (info == NULL || !g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE))
    return G_MAXUINT64;
  return g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE);
}

static gboolean count_targeted (XiStore *self, const XiJobSpec *spec, guint enough, guint *count, GError **error);

static double
projected_bytes (const CreateState *state)
{
  return (double) state->text_bytes * TEXT_DISK_FACTOR * MAX (state->expected, state->total) / state->total;
}

/* A campaign is written in one transaction, so a million long messages
 * would fill the disk for minutes, leaving no room for anything else,
 * and then only say that the disk is full. The messages staged so far,
 * spread over everybody targeted, tell before a batch is written whether
 * the campaign can fit; the exact count of whom it targets is taken only
 * when the first guess says no. */
static gboolean
check_room (XiStore      *self,
            CreateState  *state,
            GError      **error)
{
  g_autofree char *need = NULL;
  g_autofree char *room = NULL;

  if (state->room == G_MAXUINT64 || state->total == 0 || projected_bytes (state) <= state->room)
    return TRUE;
  if (!state->counted)
    {
      state->counted = TRUE;
      if (!count_targeted (self, state->spec, 0, &state->expected, error))
        return FALSE;
      if (projected_bytes (state) <= state->room)
        return TRUE;
    }
  need = g_format_size ((guint64) projected_bytes (state));
  room = g_format_size (state->room);
  g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_DISK_FULL,
               _("This campaign’s messages need about %s on the disk and only %s is free: nothing was "
                 "saved. Free some space, or send a shorter message or to fewer contacts."),
               need, room);
  return FALSE;
}

/* Writes the staged recipients: a full batch in one statement, a last
 * partial one row by row. */
static gboolean
flush_recipients (XiStore      *self,
                  CreateState  *state,
                  GError      **error)
{
  guint n_rows = state->n_staged == INSERT_BATCH ? INSERT_BATCH : 1;
  gboolean ok = check_room (self, state, error);

  for (guint done = 0; ok && done < state->n_staged; done += n_rows)
    {
      sqlite3_stmt *stmt = _xi_store_prepare (self, insert_recipients_sql (n_rows), error);

      if (stmt == NULL)
        {
          ok = FALSE;
          break;
        }
      sqlite3_bind_text (stmt, 1, self->master_user_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, state->now, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, state->job_id, -1, SQLITE_STATIC);
      for (guint i = 0; i < n_rows; i++)
        {
          bind_staged (stmt, 4 + 10 * i, &state->staged[done + i]);
          _xi_store_changes_note (self, "job_recipients", state->staged[done + i].id);
        }
      ok = _xi_store_step_done (self, stmt, error);
    }

  state->n_staged = 0;
  g_string_chunk_clear (state->strings);
  return ok;
}

static gboolean
stage_recipient (XiStore           *self,
                 PlannedRecipient  *row,
                 guint              position,
                 gpointer           user_data,
                 GError           **error)
{
  CreateState *state = user_data;
  StagedRecipient *staged;

  /* The plan measured every message; this is the last line before one
   * is stored, whatever the plan missed. */
  if (row->skip == XI_SKIP_REASON_NONE && !xi_limit_check_message (row->text, error))
    return FALSE;

  staged = &state->staged[state->n_staged++];
  row_ids_format_recipient (&state->ids, position, staged->id);
  staged->contact_id = row->contact_id;
  staged->phone = row->phone;
  staged->name = row->name;
  staged->position = position;
  staged->skip = row->skip;
  if (row->skip == XI_SKIP_REASON_NONE)
    {
      staged->text = g_string_chunk_insert (state->strings, row->text);
      state->text_bytes += strlen (row->text);
      staged->variant = row->variant;
      state->eligible++;
    }
  else
    {
      staged->text = NULL;
      state->skipped++;
    }
  state->total++;

  if (state->n_staged == INSERT_BATCH)
    return flush_recipients (self, state, error);
  return TRUE;
}

/* At least as many as plan_walk() would see: a group's members, or the
 * contacts chosen. Counting a group's members reads all of them, so
 * first the largest rowid of contacts is asked, which bounds how many
 * contacts there are and is read at once; when that is within @enough
 * it is the answer. */
static gboolean
count_targeted (XiStore          *self,
                const XiJobSpec  *spec,
                guint             enough,
                guint            *count,
                GError          **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (spec->group_id == NULL)
    {
      *count = g_strv_length (spec->contact_ids);
      return TRUE;
    }

  stmt = _xi_store_prepare (self, "SELECT coalesce (max (rowid), 0) FROM contacts", error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *count = CLAMP (sqlite3_column_int64 (stmt, 0), 0, G_MAXUINT);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    {
      _xi_store_set_error (self, rc, error);
      return FALSE;
    }
  if (*count <= enough)
    return TRUE;

  stmt = _xi_store_prepare (self,
                            "SELECT COUNT (*) FROM group_members"
                            " WHERE master_user_id = ?1 AND group_id = ?2 AND deleted = 0",
                            error);
  if (stmt == NULL)
    return FALSE;
  _xi_store_bind_text (stmt, 1, self->master_user_id);
  _xi_store_bind_text (stmt, 2, spec->group_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *count = CLAMP (sqlite3_column_int64 (stmt, 0), 0, G_MAXUINT);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    {
      _xi_store_set_error (self, rc, error);
      return FALSE;
    }
  return TRUE;
}

static char *
default_job_name (XiTemplate *template_)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%d %b %H:%M");

  /* Translators: a campaign's default name: template name and date */
  return g_strdup_printf (_("%s, %s"), xi_template_get_name (template_), date);
}

static void
create_job_func (XiStore  *self,
                 GTask    *task,
                 gpointer  data)
{
  XiJobSpec *spec = data;
  g_auto(Planner) planner = { 0 };
  g_autofree char *id = _xi_store_new_id ();
  g_autofree char *now = _xi_store_now ();
  g_autofree char *name = NULL;
  g_autofree char *scheduled = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *details = NULL;
  g_autofree char *period = current_period ();
  CreateState state = { .job_id = id, .now = now, .strings = g_string_chunk_new (64 * 1024) };
  XiQuota quota = { 0 };
  sqlite3_stmt *stmt;
  GError *error = NULL;
  guint targeted = 0, eligible = 0;
  XiJob *job;

  /* The stored texts are the campaign's promise of what each person
   * gets, so this commit alone is synced to disk: with the usual WAL
   * setting a power cut could lose it after sends went out. */
  if (!_xi_store_exec (self, "PRAGMA synchronous = FULL", &error) ||
      !_xi_store_begin (self, &error))
    goto failed_early;
  /* The template and its attachment are read inside the transaction
   * that writes the campaign: an edit by another process (the CLI) is
   * then wholly before the campaign or wholly after it, never rendered
   * into it after it was committed. */
  if (!planner_init (&planner, self, spec, &error))
    goto failed;

  name = spec->name != NULL && spec->name[0] != '\0'
         ? g_strstrip (g_strdup (spec->name))
         : default_job_name (planner.template_);
  if (spec->scheduled_at > 0)
    scheduled = iso_from_unix (spec->scheduled_at);
  row_ids_init (&state.ids, planner.rand);
  /* flush_recipients() names the recipients itself (xi-store-changes.c). */
  if (!_xi_store_changes_pause_inserts (self, "job_recipients", &error))
    goto failed;

  stmt = _xi_store_prepare (self,
                            "INSERT INTO jobs (id, master_user_id, created_at, updated_at, name,"
                            " template_id, group_id, target_kind, delay_mode, delay_min_ms, delay_max_ms,"
                            " batch_size, batch_rest_ms, daily_cap, variant_mode, priority, scheduled_at,"
                            " state, transport, asset_sha256, asset_name, asset_mime_type, asset_size)"
                            " VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
                            " ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)",
                            &error);
  if (stmt == NULL)
    goto failed;
  _xi_store_bind_text (stmt, 1, id);
  _xi_store_bind_text (stmt, 2, self->master_user_id);
  _xi_store_bind_text (stmt, 3, now);
  _xi_store_bind_text (stmt, 4, name);
  _xi_store_bind_text (stmt, 5, spec->template_id);
  _xi_store_bind_text (stmt, 6, spec->group_id);
  _xi_store_bind_text (stmt, 7, spec->group_id != NULL ? "group" : "list");
  _xi_store_bind_text (stmt, 8, spec->delay_min_ms == spec->delay_max_ms ? "static" : "random");
  sqlite3_bind_int64 (stmt, 9, spec->delay_min_ms);
  sqlite3_bind_int64 (stmt, 10, spec->delay_max_ms);
  sqlite3_bind_int64 (stmt, 11, spec->batch_size);
  sqlite3_bind_int64 (stmt, 12, spec->batch_size > 0 ? spec->batch_rest_ms : 0);
  sqlite3_bind_int64 (stmt, 13, spec->daily_cap);
  _xi_store_bind_text (stmt, 14, spec->variant_mode == XI_VARIANT_MODE_ROUND_ROBIN ? "round_robin" : "random");
  sqlite3_bind_int (stmt, 15, spec->priority);
  _xi_store_bind_text (stmt, 16, scheduled);
  _xi_store_bind_text (stmt, 17, spec->start ? "pending" : "paused");
  _xi_store_bind_text (stmt, 18, spec->transport);
  /* The attachment is part of the promise, as each message's text is. */
  _xi_store_bind_text (stmt, 19, planner.asset != NULL ? xi_asset_get_sha256 (planner.asset) : NULL);
  _xi_store_bind_text (stmt, 20, planner.asset != NULL ? xi_asset_get_name (planner.asset) : NULL);
  _xi_store_bind_text (stmt, 21, planner.asset != NULL ? xi_asset_get_mime_type (planner.asset) : NULL);
  sqlite3_bind_int64 (stmt, 22, planner.asset != NULL ? xi_asset_get_size (planner.asset) : 0);
  if (!_xi_store_step_done (self, stmt, &error))
    goto failed;

  /* The quota is read in this transaction, as reserve_quota() reads it.
   * When the audience might not fit, who would be sent to is counted
   * before anything is rendered or written. */
  if (!load_quota (self, period, &quota, &error) ||
      !count_targeted (self, spec, quota.available, &targeted, &error))
    goto failed;
  if (targeted > quota.available)
    {
      if (!plan_walk (self, &planner, spec, quota.available, NULL, NULL, &eligible, &error))
        goto failed;
      if (eligible == G_MAXUINT)
        {
          g_set_error (&error, XI_STORE_ERROR, XI_STORE_ERROR_QUOTA,
                       ngettext ("This campaign goes to up to %u contact but only %u messages are left "
                                 "of this month’s quota. Choose a smaller group or raise the quota in "
                                 "Preferences.",
                                 "This campaign goes to up to %u contacts but only %u messages are left "
                                 "of this month’s quota. Choose a smaller group or raise the quota in "
                                 "Preferences.",
                                 targeted),
                       targeted, quota.available);
          note_quota_unchecked (self, &error);
          goto failed;
        }
      if (eligible > quota.available)
        {
          set_quota_error (self, &error, eligible, quota.available);
          goto failed;
        }
    }

  planner.expected = targeted;
  state.spec = spec;
  state.expected = targeted;
  state.room = free_space (self->path);
  if (!plan_walk (self, &planner, spec, G_MAXUINT, stage_recipient, &state, NULL, &error) ||
      !flush_recipients (self, &state, &error) ||
      !_xi_store_changes_resume_inserts (self, "job_recipients", &error))
    goto failed;

  if (state.eligible == 0)
    {
      g_set_error (&error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID,
                   state.total == 0
                   ? _("Nobody would get this campaign: the group has no contacts. Add contacts to it first.")
                   : _("Nobody would get this campaign: every contact in it is skipped (opted out, "
                       "a duplicate, an invalid number or not on WhatsApp)."));
      goto failed;
    }

  stmt = _xi_store_prepare (self, "UPDATE jobs SET total = ?1, skipped = ?2 WHERE id = ?3", &error);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_int64 (stmt, 1, state.total);
  sqlite3_bind_int64 (stmt, 2, state.skipped);
  _xi_store_bind_text (stmt, 3, id);
  if (!_xi_store_step_done (self, stmt, &error) ||
      !reserve_quota (self, id, state.eligible, now, &error))
    goto failed;

  if (spec->segment != NULL)
    {
      /* The segment may change or go; the campaign keeps what it was. */
      summary = g_strdup_printf (ngettext ("Campaign “%s” created for %u recipient of segment “%s”",
                                           "Campaign “%s” created for %u recipients of segment “%s”",
                                           state.eligible),
                                 name, state.eligible, spec->segment->name);
      details = _xi_store_segment_to_json (spec->segment);
    }
  else
    summary = g_strdup_printf (ngettext ("Campaign “%s” created for %u recipient",
                                         "Campaign “%s” created for %u recipients", state.eligible),
                               name, state.eligible);
  if (!_xi_store_log_job_activity (self, "campaign-created", id, summary, details, &error) ||
      (job = load_job (self, id, &error)) == NULL)
    goto failed;

  if (!_xi_store_commit_deferring_checkpoint (self, &error))
    {
      g_object_unref (job);
      goto failed;
    }

  _xi_store_exec (self, "PRAGMA synchronous = NORMAL", NULL);
  g_free (quota.period);
  create_state_clear (&state);
  if (spec->start)
    _xi_store_sync_note_start (self, id);
  g_task_return_pointer (task, job, g_object_unref);
  return;

failed:
  _xi_store_rollback (self);
failed_early:
  _xi_store_exec (self, "PRAGMA synchronous = NORMAL", NULL);
  g_free (quota.period);
  create_state_clear (&state);
  g_task_return_error (task, error);
}

/**
 * xi_store_create_job_async:
 * @self: a #XiStore
 * @spec: the campaign
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Writes the campaign, every recipient with its rendered message, and
 * the quota reservation, all or nothing. Fails with
 * %XI_STORE_ERROR_QUOTA when the month's quota cannot cover it and with
 * %XI_STORE_ERROR_INVALID when nobody would get it.
 */
void
xi_store_create_job_async (XiStore             *self,
                           const XiJobSpec     *spec,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (spec != NULL);

  _xi_store_push_bulk (self, create_job_func, xi_job_spec_copy (spec), (GDestroyNotify)xi_job_spec_free,
                       xi_store_create_job_async, cancellable, callback, user_data);
}

/**
 * xi_store_create_job_finish:
 *
 * Returns: (transfer full): the new campaign
 */
XiJob *
xi_store_create_job_finish (XiStore       *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Lists */

static void
list_jobs_func (XiStore  *self,
                GTask    *task,
                gpointer  data)
{
  _xi_store_return_rows (self, task,
                         "SELECT " JOB_COLUMNS " FROM jobs WHERE master_user_id = ?1 AND deleted = 0"
                         " ORDER BY created_at DESC, id",
                         (XiStoreRowFunc)job_from_row);
}

/**
 * xi_store_list_jobs_async:
 *
 * Loads every campaign, newest first.
 */
void
xi_store_list_jobs_async (XiStore             *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  _xi_store_push (self, list_jobs_func, NULL, NULL, xi_store_list_jobs_async,
                  cancellable, callback, user_data);
}

/**
 * xi_store_list_jobs_finish:
 *
 * Returns: (transfer container) (element-type XiJob): the campaigns
 */
GPtrArray *
xi_store_list_jobs_finish (XiStore       *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
get_job_func (XiStore  *self,
              GTask    *task,
              gpointer  data)
{
  GError *error = NULL;
  XiJob *job = load_job (self, data, &error);

  if (job == NULL)
    _xi_store_return_error (self, task, error);
  else
    _xi_store_return_pointer (self, task, job, g_object_unref);
}

void
xi_store_get_job_async (XiStore             *self,
                        const char          *job_id,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (job_id != NULL);
  _xi_store_push (self, get_job_func, g_strdup (job_id), g_free, xi_store_get_job_async,
                  cancellable, callback, user_data);
}

/**
 * xi_store_get_job_finish:
 *
 * Returns: (transfer full): the campaign
 */
XiJob *
xi_store_get_job_finish (XiStore       *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* State changes */

static gboolean
write_job_state (XiStore     *self,
                 const char  *job_id,
                 XiJobState   state,
                 const char  *error_text,
                 const char  *now,
                 GError     **error)
{
  gboolean finished = state == XI_JOB_STATE_COMPLETED || state == XI_JOB_STATE_FAILED ||
                      state == XI_JOB_STATE_CANCELLED;
  sqlite3_stmt *stmt;

  stmt = _xi_store_prepare (self,
                            "UPDATE jobs SET state = ?1, updated_at = ?2, version = version + 1,"
                            " sync_status = 'pending',"
                            " started_at = CASE WHEN ?1 = 'processing' THEN COALESCE (started_at, ?2)"
                            "  ELSE started_at END,"
                            " finished_at = CASE WHEN ?3 THEN ?2 ELSE finished_at END,"
                            " last_error = ?4"
                            " WHERE id = ?5 AND master_user_id = ?6",
                            error);
  if (stmt == NULL)
    return FALSE;
  _xi_store_bind_text (stmt, 1, xi_job_state_to_string (state));
  _xi_store_bind_text (stmt, 2, now);
  sqlite3_bind_int (stmt, 3, finished);
  _xi_store_bind_text (stmt, 4, error_text);
  _xi_store_bind_text (stmt, 5, job_id);
  _xi_store_bind_text (stmt, 6, self->master_user_id);
  return _xi_store_step_done (self, stmt, error);
}

/* The unsent of a cancelled or failed campaign become skipped, so its
 * report adds up and nothing of it is ever sent later. */
static gboolean
skip_unsent (XiStore       *self,
             const char    *job_id,
             XiSkipReason   reason,
             const char    *now,
             GError       **error)
{
  sqlite3_stmt *stmt;
  int skipped;

  stmt = _xi_store_prepare (self,
                            "UPDATE job_recipients SET state = 'skipped', skip_reason = ?3,"
                            " updated_at = ?1, version = version + 1, sync_status = 'pending'"
                            " WHERE job_id = ?2 AND state IN ('pending', 'sending')",
                            error);
  if (stmt == NULL)
    return FALSE;
  _xi_store_bind_text (stmt, 1, now);
  _xi_store_bind_text (stmt, 2, job_id);
  _xi_store_bind_text (stmt, 3, xi_skip_reason_to_string (reason));
  if (!_xi_store_step_done (self, stmt, error))
    return FALSE;
  skipped = sqlite3_changes (self->db);

  stmt = _xi_store_prepare (self, "UPDATE jobs SET skipped = skipped + ?1 WHERE id = ?2", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, skipped);
  _xi_store_bind_text (stmt, 2, job_id);
  return _xi_store_step_done (self, stmt, error);
}

static const char *
activity_kind (XiJobState state)
{
  switch (state)
    {
    case XI_JOB_STATE_PROCESSING:
      return "campaign-started";
    case XI_JOB_STATE_PAUSED:
      return "campaign-paused";
    case XI_JOB_STATE_PENDING:
      return "campaign-resumed";
    case XI_JOB_STATE_RETRYING:
      return "campaign-waiting";
    case XI_JOB_STATE_COMPLETED:
      return "campaign-completed";
    case XI_JOB_STATE_FAILED:
      return "campaign-failed";
    case XI_JOB_STATE_CANCELLED:
      return "campaign-cancelled";
    default:
      g_return_val_if_reached ("campaign");
    }
}

static char *
activity_summary (XiJob *job)
{
  switch (job->state)
    {
    case XI_JOB_STATE_PROCESSING:
      return g_strdup_printf (_("Campaign “%s” is sending"), job->name);
    case XI_JOB_STATE_PAUSED:
      return g_strdup_printf (_("Campaign “%s” paused"), job->name);
    case XI_JOB_STATE_PENDING:
      return g_strdup_printf (_("Campaign “%s” queued"), job->name);
    case XI_JOB_STATE_RETRYING:
      return g_strdup_printf (_("Campaign “%s” waits for the connection"), job->name);
    case XI_JOB_STATE_COMPLETED:
      return g_strdup_printf (_("Campaign “%s” completed: %u sent, %u failed, %u skipped"),
                              job->name, job->sent, job->failed, job->skipped);
    case XI_JOB_STATE_FAILED:
      return g_strdup_printf (_("Campaign “%s” stopped: %s"), job->name,
                              job->last_error != NULL ? job->last_error : "");
    case XI_JOB_STATE_CANCELLED:
      return g_strdup_printf (_("Campaign “%s” cancelled after %u sent"), job->name, job->sent);
    default:
      g_return_val_if_reached (g_strdup (""));
    }
}

/* Moves a campaign to @state in the open transaction: settles the quota
 * when it finishes and logs what a user would want to find again. */
static XiJob *
change_job_state (XiStore     *self,
                  const char  *job_id,
                  XiJobState   state,
                  const char  *error_text,
                  GError     **error)
{
  g_autofree char *now = _xi_store_now ();
  g_autofree char *summary = NULL;
  g_autoptr(XiJob) job = NULL;
  XiJobState previous;

  job = load_job (self, job_id, error);
  if (job == NULL)
    return NULL;
  previous = job->state;

  if ((state == XI_JOB_STATE_CANCELLED || state == XI_JOB_STATE_FAILED) &&
      !skip_unsent (self, job_id,
                    state == XI_JOB_STATE_CANCELLED ? XI_SKIP_REASON_CANCELLED : XI_SKIP_REASON_STOPPED,
                    now, error))
    return NULL;
  if (!write_job_state (self, job_id, state, error_text, now, error))
    return NULL;

  g_clear_object (&job);
  job = load_job (self, job_id, error);
  if (job == NULL)
    return NULL;

  if (xi_job_is_finished (job) && !settle_quota (self, job, now, error))
    return NULL;

  /* Going back and forth between sending and waiting for the network is
   * engine bookkeeping, not something to fill the user's log with. */
  if (previous != state &&
      !(state == XI_JOB_STATE_PROCESSING && previous == XI_JOB_STATE_RETRYING) &&
      !(state == XI_JOB_STATE_PROCESSING && job->sent + job->failed > 0))
    {
      summary = activity_summary (job);
      if (!_xi_store_log_job_activity (self, activity_kind (state), job_id, summary, NULL, error))
        return NULL;
    }

  return g_steal_pointer (&job);
}

typedef struct
{
  char          *job_id;
  XiJobCommand   command;
} CommandOp;

static void
command_op_free (CommandOp *op)
{
  g_free (op->job_id);
  g_free (op);
}

static gboolean
command_target (XiJob         *job,
                XiJobCommand   command,
                XiJobState    *target,
                GError       **error)
{
  if (xi_job_is_finished (job))
    {
      g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_STATE,
                   _("Campaign “%s” has already finished."), job->name);
      return FALSE;
    }

  switch (command)
    {
    case XI_JOB_COMMAND_START:
    case XI_JOB_COMMAND_RESUME:
      if (job->state != XI_JOB_STATE_PAUSED)
        {
          g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_STATE,
                       _("Campaign “%s” is not paused; it is already queued or sending."), job->name);
          return FALSE;
        }
      *target = XI_JOB_STATE_PENDING;
      return TRUE;
    case XI_JOB_COMMAND_PAUSE:
      if (job->state == XI_JOB_STATE_PAUSED)
        {
          g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_STATE,
                       _("Campaign “%s” is already paused."), job->name);
          return FALSE;
        }
      *target = XI_JOB_STATE_PAUSED;
      return TRUE;
    case XI_JOB_COMMAND_CANCEL:
      *target = XI_JOB_STATE_CANCELLED;
      return TRUE;
    default:
      g_return_val_if_reached (FALSE);
    }
}

/* The store side of the engine's and the user's campaign changes: @work
 * runs in one transaction and returns the campaign as it leaves it; the
 * task gets that, or the error after a rollback. */
typedef XiJob *(*JobChange) (XiStore   *self,
                             gpointer   data,
                             GError   **error);

static void
return_job_changed (XiStore   *self,
                    GTask     *task,
                    JobChange  change,
                    gpointer   data,
                    gboolean   defer_checkpoint)
{
  GError *error = NULL;
  XiJob *job = NULL;

  if (!_xi_store_begin (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if ((job = change (self, data, &error)) == NULL ||
      !(defer_checkpoint ? _xi_store_commit_deferring_checkpoint (self, &error)
                         : _xi_store_commit (self, &error)))
    {
      g_clear_object (&job);
      _xi_store_rollback (self);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, job, g_object_unref);
}

static XiJob *
command_job (XiStore   *self,
             gpointer   data,
             GError   **error)
{
  CommandOp *op = data;
  g_autoptr(XiJob) current = NULL;
  XiJob *job;
  XiJobState target;

  if ((current = load_job (self, op->job_id, error)) == NULL ||
      !command_target (current, op->command, &target, error) ||
      !_xi_store_sync_check_command (self, op->job_id, target == XI_JOB_STATE_PENDING, error))
    return NULL;
  job = change_job_state (self, op->job_id, target, NULL, error);
  /* The notice goes out after the commit; should the commit fail, it
   * costs one needless sync pass. */
  if (job != NULL && target == XI_JOB_STATE_PENDING)
    _xi_store_sync_note_start (self, op->job_id);
  return job;
}

static void
command_job_func (XiStore  *self,
                  GTask    *task,
                  gpointer  data)
{
  return_job_changed (self, task, command_job, data, FALSE);
}

/**
 * xi_store_command_job_async:
 * @self: a #XiStore
 * @job_id: the campaign
 * @command: what the user asked for
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Applies a user's command to the stored campaign. The engine must be
 * told as well (xi_campaign_runner_command_async() does both), or a pause
 * would only take effect after the message being waited for.
 * %XI_STORE_ERROR_STATE when the command makes no sense now.
 */
void
xi_store_command_job_async (XiStore             *self,
                            const char          *job_id,
                            XiJobCommand         command,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  CommandOp *op;

  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (job_id != NULL);

  op = g_new0 (CommandOp, 1);
  op->job_id = g_strdup (job_id);
  op->command = command;
  _xi_store_push (self, command_job_func, op, (GDestroyNotify)command_op_free,
                  xi_store_command_job_async, cancellable, callback, user_data);
}

/**
 * xi_store_command_job_finish:
 *
 * Returns: (transfer full): the campaign after the command
 */
XiJob *
xi_store_command_job_finish (XiStore       *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Delete */

static XiJob *
delete_job (XiStore   *self,
            gpointer   data,
            GError   **error)
{
  const char *job_id = data;
  g_autofree char *now = _xi_store_now ();
  g_autoptr(XiJob) job = NULL;
  sqlite3_stmt *stmt;

  if ((job = load_job (self, job_id, error)) == NULL ||
      !_xi_store_sync_check_command (self, job_id, FALSE, error))
    return NULL;
  if (job->state == XI_JOB_STATE_PROCESSING || job->state == XI_JOB_STATE_RETRYING)
    {
      g_set_error (error, XI_STORE_ERROR, XI_STORE_ERROR_STATE,
                   _("This campaign is sending. Pause or cancel it before deleting it."));
      return NULL;
    }
  /* Cancelled first, so its quota is settled like any stopped campaign's:
   * the unsent are skipped, the reservation here gives back what was not
   * used and, signed in, the final quota call releases the server's. */
  if (!xi_job_is_finished (job))
    {
      g_clear_object (&job);
      job = change_job_state (self, job_id, XI_JOB_STATE_CANCELLED, NULL, error);
      if (job == NULL)
        return NULL;
    }

  stmt = _xi_store_prepare (self, "UPDATE jobs SET deleted = 1, updated_at = ?2 WHERE id = ?1",
                            error);
  if (stmt == NULL)
    return NULL;
  _xi_store_bind_text (stmt, 1, job_id);
  _xi_store_bind_text (stmt, 2, now);
  if (!_xi_store_step_done (self, stmt, error))
    return NULL;
  return g_steal_pointer (&job);
}

static void
delete_job_func (XiStore  *self,
                 GTask    *task,
                 gpointer  data)
{
  return_job_changed (self, task, delete_job, data, FALSE);
}

/**
 * xi_store_delete_job_async:
 * @self: a #XiStore
 * @job_id: the campaign
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Deletes a campaign that is not sending. One that has not finished is
 * cancelled first, which gives its unused quota back here and on the
 * server. %XI_STORE_ERROR_STATE while it is sending.
 */
void
xi_store_delete_job_async (XiStore             *self,
                           const char          *job_id,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (job_id != NULL);

  _xi_store_push (self, delete_job_func, g_strdup (job_id), g_free,
                  xi_store_delete_job_async, cancellable, callback, user_data);
}

/**
 * xi_store_delete_job_finish:
 *
 * Returns: whether the campaign was deleted
 */
gboolean
xi_store_delete_job_finish (XiStore       *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_autoptr(XiJob) job = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  job = g_task_propagate_pointer (G_TASK (result), error);
  return job != NULL;
}

typedef struct
{
  char        *job_id;
  XiJobState   state;
  char        *error_text;
} SetStateOp;

static void
set_state_op_free (SetStateOp *op)
{
  g_free (op->job_id);
  g_free (op->error_text);
  g_free (op);
}

static XiJob *
set_job_state (XiStore   *self,
               gpointer   data,
               GError   **error)
{
  SetStateOp *op = data;
  XiJob *job = load_job (self, op->job_id, error);

  /* The engine only moves a campaign it is running. One a user paused or
   * cancelled meanwhile (from another window or xender-in-cli) stays as
   * the user left it; the engine sees that in the job it gets back. */
  if (job == NULL || (job->state != XI_JOB_STATE_PROCESSING && job->state != XI_JOB_STATE_RETRYING))
    return job;
  g_object_unref (job);
  return change_job_state (self, op->job_id, op->state, op->error_text, error);
}

static void
set_job_state_func (XiStore  *self,
                    GTask    *task,
                    gpointer  data)
{
  return_job_changed (self, task, set_job_state, data, FALSE);
}

/**
 * xi_store_set_job_state_async:
 * @self: a #XiStore
 * @job_id: the campaign
 * @state: its new state
 * @error_text: (nullable): for %XI_JOB_STATE_FAILED and
 *   %XI_JOB_STATE_RETRYING, why, in words for the user
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * The engine's state changes, applied only while the campaign is
 * processing or retrying: a campaign the user paused or cancelled in the
 * meantime is returned unchanged. A finished state settles the quota.
 */
void
xi_store_set_job_state_async (XiStore             *self,
                              const char          *job_id,
                              XiJobState           state,
                              const char          *error_text,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  SetStateOp *op;

  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (job_id != NULL);

  op = g_new0 (SetStateOp, 1);
  op->job_id = g_strdup (job_id);
  op->state = state;
  op->error_text = g_strdup (error_text);
  _xi_store_push (self, set_job_state_func, op, (GDestroyNotify)set_state_op_free,
                  xi_store_set_job_state_async, cancellable, callback, user_data);
}

/**
 * xi_store_set_job_state_finish:
 *
 * Returns: (transfer full): the campaign in its new state
 */
XiJob *
xi_store_set_job_state_finish (XiStore       *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Reports */

static XiJobRecipient *
recipient_from_row (sqlite3_stmt *stmt)
{
  XiJobRecipient *recipient = _xi_job_recipient_new ();
  XiRecipientState state = XI_RECIPIENT_STATE_PENDING;

  recipient->position = sqlite3_column_int (stmt, 0);
  recipient->name = g_strdup ((const char *)sqlite3_column_text (stmt, 1));
  recipient->phone = g_strdup ((const char *)sqlite3_column_text (stmt, 2));
  _xi_recipient_state_from_string ((const char *)sqlite3_column_text (stmt, 3), &state);
  recipient->state = state;
  recipient->skip_reason = _xi_skip_reason_from_string ((const char *)sqlite3_column_text (stmt, 4));
  recipient->attempts = sqlite3_column_int (stmt, 5);
  recipient->last_error = g_strdup ((const char *)sqlite3_column_text (stmt, 6));
  recipient->message_id = g_strdup ((const char *)sqlite3_column_text (stmt, 7));
  recipient->text = g_strdup ((const char *)sqlite3_column_text (stmt, 8));
  recipient->sent_at = g_strdup ((const char *)sqlite3_column_text (stmt, 9));
  recipient->delivered_at = g_strdup ((const char *)sqlite3_column_text (stmt, 10));
  recipient->read_at = g_strdup ((const char *)sqlite3_column_text (stmt, 11));

  return recipient;
}

static GPtrArray *
load_recipients (XiStore     *self,
                 const char  *job_id,
                 GError     **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  sqlite3_stmt *stmt;
  int rc;

  stmt = _xi_store_prepare (self,
                            "SELECT " RECIPIENT_COLUMNS " FROM job_recipients"
                            " WHERE master_user_id = ?1 AND job_id = ?2 AND deleted = 0 ORDER BY position",
                            error);
  if (stmt == NULL)
    return NULL;
  _xi_store_bind_text (stmt, 1, self->master_user_id);
  _xi_store_bind_text (stmt, 2, job_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rows, recipient_from_row (stmt));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _xi_store_set_error (self, rc, error);
      return NULL;
    }
  return g_steal_pointer (&rows);
}

static void
list_recipients_func (XiStore  *self,
                      GTask    *task,
                      gpointer  data)
{
  GError *error = NULL;
  GPtrArray *rows = load_recipients (self, data, &error);

  if (rows == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, rows, (GDestroyNotify)g_ptr_array_unref);
}

/**
 * xi_store_list_job_recipients_async:
 *
 * Loads a campaign's report: every recipient in campaign order.
 */
void
xi_store_list_job_recipients_async (XiStore             *self,
                                    const char          *job_id,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (job_id != NULL);
  _xi_store_push_read (self, list_recipients_func, g_strdup (job_id), g_free,
                       xi_store_list_job_recipients_async, cancellable, callback, user_data);
}

/**
 * xi_store_list_job_recipients_finish:
 *
 * Returns: (transfer container) (element-type XiJobRecipient): the rows
 */
GPtrArray *
xi_store_list_job_recipients_finish (XiStore       *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  char  *job_id;
  GFile *file;
} ExportOp;

static void
export_op_free (ExportOp *op)
{
  g_free (op->job_id);
  g_object_unref (op->file);
  g_free (op);
}

static void
append_report_line (GString        *out,
                    XiJobRecipient *row)
{
  g_autofree char *position = g_strdup_printf ("%u", row->position);
  g_autofree char *attempts = g_strdup_printf ("%u", row->attempts);
  g_autofree char *phone = xi_phone_format_international (row->phone);
  const char *fields[] = {
    position, row->name, phone, xi_recipient_state_to_string (row->state),
    row->state == XI_RECIPIENT_STATE_SKIPPED ? xi_skip_reason_describe (row->skip_reason) : row->last_error,
    attempts, row->message_id, row->sent_at, row->delivered_at, row->read_at, row->text,
  };

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      xi_csv_append_cell (out, fields[i]);
    }
  g_string_append (out, "\r\n");
}

static void
export_report_func (XiStore  *self,
                    GTask    *task,
                    gpointer  data)
{
  ExportOp *op = data;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(XiJob) job = NULL;
  GError *error = NULL;

  if ((job = load_job (self, op->job_id, &error)) == NULL ||
      (rows = load_recipients (self, op->job_id, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* Column names stay in English so spreadsheets and scripts that read
   * the report do not depend on the language of the app. */
  g_string_append (out, "position,name,phone,status,reason,attempts,message_id,"
                        "sent_at,delivered_at,read_at,message\r\n");
  for (guint i = 0; i < rows->len; i++)
    append_report_line (out, g_ptr_array_index (rows, i));

  /* Customer names and numbers: readable by the user only, also when
   * an older, looser file is replaced. */
  bytes = g_bytes_new_static (out->str, out->len);
  if (!xi_csv_save (op->file, bytes, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_int (task, rows->len);
}

/**
 * xi_store_export_job_report_async:
 * @self: a #XiStore
 * @job_id: the campaign
 * @file: where to write the CSV (UTF-8, comma separated)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Writes a campaign's report: one line per recipient with what they were
 * sent and what became of it.
 */
void
xi_store_export_job_report_async (XiStore             *self,
                                  const char          *job_id,
                                  GFile               *file,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  ExportOp *op;

  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (job_id != NULL);
  g_return_if_fail (G_IS_FILE (file));

  op = g_new0 (ExportOp, 1);
  op->job_id = g_strdup (job_id);
  op->file = g_object_ref (file);
  _xi_store_push (self, export_report_func, op, (GDestroyNotify)export_op_free,
                  xi_store_export_job_report_async, cancellable, callback, user_data);
}

/**
 * xi_store_export_job_report_finish:
 *
 * Returns: the number of recipient lines written
 */
guint
xi_store_export_job_report_finish (XiStore       *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  return g_task_propagate_int (G_TASK (result), error);
}

/* Quota for the UI */

static void
get_quota_func (XiStore  *self,
                GTask    *task,
                gpointer  data)
{
  g_autofree char *period = current_period ();
  g_autoptr(XiQuota) quota = g_new0 (XiQuota, 1);
  GError *error = NULL;

  if (!load_quota (self, period, quota, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_steal_pointer (&quota), (GDestroyNotify)xi_quota_free);
}

/**
 * xi_store_get_quota_async:
 *
 * Loads this month's quota: allowance, used, reserved and available.
 */
void
xi_store_get_quota_async (XiStore             *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  _xi_store_push (self, get_quota_func, NULL, NULL, xi_store_get_quota_async,
                  cancellable, callback, user_data);
}

/**
 * xi_store_get_quota_finish:
 *
 * Returns: (transfer full): the quota
 */
XiQuota *
xi_store_get_quota_finish (XiStore       *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
set_allowance_func (XiStore  *self,
                    GTask    *task,
                    gpointer  data)
{
  g_autofree char *period = current_period ();
  g_autofree char *now = _xi_store_now ();
  g_autofree char *id = _xi_store_new_id ();
  g_autofree char *summary = NULL;
  guint allowance = GPOINTER_TO_UINT (data);
  sqlite3_stmt *stmt;
  GError *error = NULL;

  if (!_xi_store_begin (self, &error))
    goto failed_early;
  stmt = _xi_store_prepare (self,
                            "INSERT INTO user_quotas (id, master_user_id, created_at, updated_at,"
                            " sync_status, period, allowance) VALUES (?1, ?2, ?3, ?3, 'synced', ?4, ?5)"
                            " ON CONFLICT (master_user_id, period) DO UPDATE SET"
                            " allowance = excluded.allowance, updated_at = excluded.updated_at,"
                            " version = version + 1"
                            /* Not a synced table, so no trigger tells the
                             * pages showing the quota. */
                            " RETURNING xi_store_changed ('user_quotas', id)",
                            &error);
  if (stmt == NULL)
    goto failed;
  _xi_store_bind_text (stmt, 1, id);
  _xi_store_bind_text (stmt, 2, self->master_user_id);
  _xi_store_bind_text (stmt, 3, now);
  _xi_store_bind_text (stmt, 4, period);
  sqlite3_bind_int64 (stmt, 5, allowance);
  summary = g_strdup_printf (_("Monthly quota set to %u messages"), allowance);
  if (!_xi_store_step_done (self, stmt, &error) ||
      !_xi_store_log_activity (self, "quota-changed", summary, NULL, &error) ||
      !_xi_store_commit (self, &error))
    goto failed;

  get_quota_func (self, task, NULL);
  return;

failed:
  _xi_store_rollback (self);
failed_early:
  g_task_return_error (task, error);
}

/**
 * xi_store_set_quota_allowance_async:
 *
 * Sets this month's allowance (the local quota, until sync brings the
 * cloud one).
 */
void
xi_store_set_quota_allowance_async (XiStore             *self,
                                    guint                allowance,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  _xi_store_push (self, set_allowance_func, GUINT_TO_POINTER (allowance), NULL,
                  xi_store_set_quota_allowance_async, cancellable, callback, user_data);
}

/**
 * xi_store_set_quota_allowance_finish:
 *
 * Returns: (transfer full): the quota with the new allowance
 */
XiQuota *
xi_store_set_quota_allowance_finish (XiStore       *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Activity */

static gpointer
activity_from_row (sqlite3_stmt *stmt)
{
  return _xi_activity_new ((const char *)sqlite3_column_text (stmt, 0),
                           (const char *)sqlite3_column_text (stmt, 1),
                           (const char *)sqlite3_column_text (stmt, 2),
                           (const char *)sqlite3_column_text (stmt, 3));
}

static void
list_activity_func (XiStore  *self,
                    GTask    *task,
                    gpointer  data)
{
  _xi_store_return_rows_limit (self, task,
                               "SELECT kind, summary, job_id, created_at FROM history"
                               " WHERE master_user_id = ?1 AND deleted = 0"
                               " ORDER BY created_at DESC, rowid DESC LIMIT ?2",
                               GPOINTER_TO_UINT (data), activity_from_row);
}

/**
 * xi_store_list_activity_async:
 * @limit: the most recent entries to load
 *
 * Loads the activity log, newest first.
 */
void
xi_store_list_activity_async (XiStore             *self,
                              guint                limit,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  _xi_store_push (self, list_activity_func, GUINT_TO_POINTER (limit), NULL,
                  xi_store_list_activity_async, cancellable, callback, user_data);
}

/**
 * xi_store_list_activity_finish:
 *
 * Returns: (transfer container) (element-type XiActivity): the entries
 */
GPtrArray *
xi_store_list_activity_finish (XiStore       *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The engine's side */

static gboolean
find_next_wake (XiStore     *self,
                const char  *now,
                gint64      *next_wake_at,
                GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = _xi_store_prepare (self,
                            "SELECT MIN (scheduled_at) FROM jobs WHERE master_user_id = ?1"
                            " AND deleted = 0 AND state = 'pending' AND scheduled_at > ?2",
                            error);
  if (stmt == NULL)
    return FALSE;
  _xi_store_bind_text (stmt, 1, self->master_user_id);
  _xi_store_bind_text (stmt, 2, now);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *next_wake_at = unix_from_iso ((const char *)sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    {
      _xi_store_set_error (self, rc, error);
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  XiJob  *job;
  gint64  next_wake_at;
} Claim;

static void
claim_free (Claim *claim)
{
  g_clear_object (&claim->job);
  g_free (claim);
}

static void
claim_next_job_func (XiStore  *self,
                     GTask    *task,
                     gpointer  data)
{
  g_autofree char *now = _xi_store_now ();
  g_autofree char *job_id = NULL;
  const char *transports = data;
  Claim *claim = g_new0 (Claim, 1);
  sqlite3_stmt *stmt;
  GError *error = NULL;
  int rc;

  if (!_xi_store_begin (self, &error))
    goto failed_early;

  /* A campaign that was sending when the app stopped goes first, so a
   * restart resumes it rather than starting another; then priority, then
   * age. One at a time: a single WhatsApp account sends one by one. */
  stmt = _xi_store_prepare (self,
                            "SELECT id FROM jobs WHERE master_user_id = ?1 AND deleted = 0"
                            " AND (state IN ('processing', 'retrying')"
                            "  OR (state = 'pending' AND (scheduled_at IS NULL OR scheduled_at <= ?2)))"
                            " AND (?3 IS NULL OR transport IS NULL OR instr (?3, ',' || transport || ',') > 0)"
                            " AND (owner_device_id IS NULL OR owner_device_id = ?4)"
                            " ORDER BY state = 'pending', priority DESC, created_at, id LIMIT 1",
                            &error);
  if (stmt == NULL)
    goto failed;
  _xi_store_bind_text (stmt, 1, self->master_user_id);
  _xi_store_bind_text (stmt, 2, now);
  _xi_store_bind_text (stmt, 3, transports);
  /* A campaign another computer of the account owns is that computer's
   * to send; this one only shows it. */
  _xi_store_bind_text (stmt, 4, self->sync_device_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    job_id = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _xi_store_set_error (self, rc, &error);
      goto failed;
    }

  if (job_id != NULL &&
      (claim->job = change_job_state (self, job_id, XI_JOB_STATE_PROCESSING, NULL, &error)) == NULL)
    goto failed;
  if (!find_next_wake (self, now, &claim->next_wake_at, &error) ||
      !_xi_store_commit (self, &error))
    goto failed;

  g_task_return_pointer (task, claim, (GDestroyNotify)claim_free);
  return;

failed:
  _xi_store_rollback (self);
failed_early:
  claim_free (claim);
  g_task_return_error (task, error);
}

/**
 * xi_store_claim_next_job_async:
 * @transports: (nullable) (array zero-terminated=1): only campaigns that
 *   go through one of these (or that never said which); %NULL for any
 *
 * Picks the campaign to send now and marks it processing: an interrupted
 * one first, then by priority and age, skipping those scheduled later.
 */
void
xi_store_claim_next_job_async (XiStore             *self,
                               const char * const  *transports,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  char *filter = NULL;

  g_return_if_fail (XI_IS_STORE (self));

  if (transports != NULL)
    {
      g_autofree char *joined = g_strjoinv (",", (char **) transports);

      filter = g_strconcat (",", joined, ",", NULL);
    }
  _xi_store_push (self, claim_next_job_func, filter, g_free, xi_store_claim_next_job_async,
                  cancellable, callback, user_data);
}

/**
 * xi_store_claim_next_job_finish:
 * @next_wake_at: (out): Unix seconds when a scheduled campaign becomes
 *   due, 0 when none is waiting for its time
 *
 * Returns: (transfer full) (nullable): the campaign to run, or %NULL with
 *   no error when there is none
 */
XiJob *
xi_store_claim_next_job_finish (XiStore       *self,
                                GAsyncResult  *result,
                                gint64        *next_wake_at,
                                GError       **error)
{
  Claim *claim;
  XiJob *job;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  *next_wake_at = 0;
  claim = g_task_propagate_pointer (G_TASK (result), error);
  if (claim == NULL)
    return NULL;
  job = g_steal_pointer (&claim->job);
  *next_wake_at = claim->next_wake_at;
  claim_free (claim);
  return job;
}

typedef struct
{
  char   *job_id;
  guint   after_position;
  guint   limit;
} OutgoingOp;

static void
outgoing_op_free (OutgoingOp *op)
{
  g_free (op->job_id);
  g_free (op);
}

typedef struct
{
  GPtrArray *rows;
  guint      sent_today;
} OutgoingBatch;

static void
outgoing_batch_free (OutgoingBatch *batch)
{
  g_clear_pointer (&batch->rows, g_ptr_array_unref);
  g_free (batch);
}

/* Rows given their ids by one statement; the last few of a window go
 * one by one, so only two statements are ever built. */
#define ASSIGN_BATCH 64

static void
append_id_values (GString *sql,
                  guint    row)
{
  g_string_append_printf (sql, "(?%u, ?%u, ?%u)", 2 + 3 * row, 3 + 3 * row, 4 + 3 * row);
}

/* The UPDATE giving @n_rows recipients their ids: ?1 is the time, then a
 * rowid, a new id and the row's own id per row. What is handed out is
 * what each row then holds: should another process have given a row an
 * id since it was read, that id stays. The rows were read before this
 * transaction, and a rowid freed since then (another process's sync drops
 * and inserts rows) may name another recipient: the row's id must match
 * too, or the row counts as removed. */
static const char *
assign_ids_sql (guint n_rows)
{
  static char *one, *batch;

  g_assert (n_rows == 1 || n_rows == ASSIGN_BATCH);

  return rows_sql (n_rows == 1 ? &one : &batch,
                   "UPDATE job_recipients SET wa_message_id = coalesce (wa_message_id, ids.column2),"
                   " updated_at = ?1, version = version + 1, sync_status = 'pending' FROM (VALUES ",
                   append_id_values, n_rows,
                   ") AS ids WHERE job_recipients.rowid = ids.column1 AND job_recipients.id = ids.column3"
                   " RETURNING job_recipients.rowid, wa_message_id");
}

/* Gives the @n_rows rows of @todo (indexes into @rows and @rowids) their
 * ids in one statement. */
static gboolean
assign_some_ids (XiStore       *self,
                 GPtrArray     *rows,
                 const gint64  *rowids,
                 const guint   *todo,
                 guint          n_rows,
                 const char    *now,
                 GError       **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = _xi_store_prepare (self, assign_ids_sql (n_rows), error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, now, -1, SQLITE_STATIC);
  for (guint i = 0; i < n_rows; i++)
    {
      XiOutgoing *outgoing = g_ptr_array_index (rows, todo[i]);

      sqlite3_bind_int64 (stmt, 2 + 3 * i, rowids[todo[i]]);
      sqlite3_bind_text (stmt, 3 + 3 * i, xi_message_id_new (), -1, g_free);
      sqlite3_bind_text (stmt, 4 + 3 * i, outgoing->row_id, -1, SQLITE_STATIC);
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 rowid = sqlite3_column_int64 (stmt, 0);

      for (guint i = 0; i < n_rows; i++)
        if (rowids[todo[i]] == rowid)
          {
            XiOutgoing *outgoing = g_ptr_array_index (rows, todo[i]);

            outgoing->message_id = g_strdup ((const char *)sqlite3_column_text (stmt, 1));
            break;
          }
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _xi_store_set_error (self, rc, error);
      return FALSE;
    }
  for (guint i = 0; i < n_rows; i++)
    if (((XiOutgoing *)g_ptr_array_index (rows, todo[i]))->message_id == NULL)
      {
        g_set_error_literal (error, XI_STORE_ERROR, XI_STORE_ERROR_NOT_FOUND,
                             _("A recipient of this campaign was removed while it was being sent"));
        return FALSE;
      }
  return TRUE;
}

/*
 * A recipient's message id is chosen when its row is first handed out for
 * sending, not when the campaign is created, and stored before the row
 * leaves this function: a restart finds it and sends under it again, so
 * the rule of one message id per person holds as it did. The ids are
 * random, so their index (job_recipients_message, which holds only the
 * rows that have one) took a new campaign's 100,000 of them at random
 * places, a third of the cost of creating it (bench-campaign,
 * campaign-create-cpu 0.75 s with it, 0.51 s without); here they go in
 * a window at a time, when the rows are read anyway, ASSIGN_BATCH rows
 * to a statement: one UPDATE per row cost a kept message 75,000
 * instructions of the store thread's 550,000.
 *
 * The commit is synced to disk, as the campaign's was: were a power cut
 * to lose it after a send, the restart would choose another id and the
 * recipient would get the message twice.
 */
static gboolean
assign_message_ids (XiStore       *self,
                    GPtrArray     *rows,
                    const gint64  *rowids,
                    GError       **error)
{
  g_autofree guint *todo = g_new (guint, rows->len);
  g_autofree char *now = NULL;
  guint n_todo = 0;
  gboolean ok;

  for (guint i = 0; i < rows->len; i++)
    if (((XiOutgoing *)g_ptr_array_index (rows, i))->message_id == NULL)
      todo[n_todo++] = i;
  if (n_todo == 0)
    return TRUE;

  if (!_xi_store_exec (self, "PRAGMA synchronous = FULL", error))
    return FALSE;
  ok = _xi_store_begin (self, error);
  now = _xi_store_now ();
  for (guint done = 0, n_rows; ok && done < n_todo; done += n_rows)
    {
      n_rows = n_todo - done >= ASSIGN_BATCH ? ASSIGN_BATCH : 1;
      ok = assign_some_ids (self, rows, rowids, todo + done, n_rows, now, error);
    }
  if (ok)
    ok = _xi_store_commit (self, error);
  if (!ok)
    _xi_store_rollback (self);
  _xi_store_exec (self, "PRAGMA synchronous = NORMAL", NULL);
  return ok;
}

static void
next_outgoing_func (XiStore  *self,
                    GTask    *task,
                    gpointer  data)
{
  OutgoingOp *op = data;
  g_autofree char *today = start_of_today ();
  OutgoingBatch *batch = g_new0 (OutgoingBatch, 1);
  gint64 now_ms = g_get_real_time () / 1000;
  g_autoptr(GArray) rowids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt;
  GError *error = NULL;
  gint64 rowid;
  int rc;

  batch->rows = g_ptr_array_new_with_free_func ((GDestroyNotify)xi_outgoing_free);

  stmt = _xi_store_prepare (self,
                            "SELECT id, position, phone, name, wa_message_id, rendered_text, attempts,"
                            " next_attempt_at, rowid, skip_reason FROM job_recipients"
                            " WHERE job_id = ?1 AND state IN ('pending', 'sending') AND position > ?2"
                            " ORDER BY position LIMIT ?3",
                            &error);
  if (stmt == NULL)
    goto failed;
  _xi_store_bind_text (stmt, 1, op->job_id);
  sqlite3_bind_int64 (stmt, 2, op->after_position);
  sqlite3_bind_int64 (stmt, 3, op->limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      XiOutgoing *outgoing = g_new0 (XiOutgoing, 1);

      outgoing->job_id = g_strdup (op->job_id);
      outgoing->row_id = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
      outgoing->position = sqlite3_column_int (stmt, 1);
      outgoing->phone = g_strdup ((const char *)sqlite3_column_text (stmt, 2));
      outgoing->name = g_strdup ((const char *)sqlite3_column_text (stmt, 3));
      outgoing->message_id = g_strdup ((const char *)sqlite3_column_text (stmt, 4));
      outgoing->text = g_strdup ((const char *)sqlite3_column_text (stmt, 5));
      outgoing->attempts = sqlite3_column_int (stmt, 6);
      outgoing->next_attempt_at = retry_due_at (sqlite3_column_int64 (stmt, 7),
                                                 _xi_skip_reason_from_string ((const char *)sqlite3_column_text (stmt, 9)),
                                                 now_ms);
      g_ptr_array_add (batch->rows, outgoing);
      rowid = sqlite3_column_int64 (stmt, 8);
      g_array_append_val (rowids, rowid);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _xi_store_set_error (self, rc, &error);
      goto failed;
    }
  if (!assign_message_ids (self, batch->rows, (const gint64 *)rowids->data, &error))
    goto failed;

  /* A scan of every sent row: only the first load of a run needs it, the
   * engine counts on from there. */
  if (op->after_position > 0)
    goto done;

  stmt = _xi_store_prepare (self,
                            "SELECT COUNT (*) FROM job_recipients WHERE job_id = ?1"
                            " AND state IN ('sent', 'delivered', 'read') AND sent_at >= ?2",
                            &error);
  if (stmt == NULL)
    goto failed;
  _xi_store_bind_text (stmt, 1, op->job_id);
  _xi_store_bind_text (stmt, 2, today);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    batch->sent_today = sqlite3_column_int (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    {
      _xi_store_set_error (self, rc, &error);
      goto failed;
    }

done:
  g_task_return_pointer (task, batch, (GDestroyNotify)outgoing_batch_free);
  return;

failed:
  outgoing_batch_free (batch);
  g_task_return_error (task, error);
}

/**
 * xi_store_next_outgoing_async:
 * @self: a #XiStore
 * @job_id: the campaign
 * @after_position: the last position the engine has already taken
 * @limit: at most this many
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Loads the next unsent messages of a campaign in order, with their
 * stored texts and message ids; a row that has none yet gets its id
 * here, stored on disk before it is returned.
 */
void
xi_store_next_outgoing_async (XiStore             *self,
                              const char          *job_id,
                              guint                after_position,
                              guint                limit,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  OutgoingOp *op;

  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (job_id != NULL);

  op = g_new0 (OutgoingOp, 1);
  op->job_id = g_strdup (job_id);
  op->after_position = after_position;
  op->limit = limit;
  _xi_store_push (self, next_outgoing_func, op, (GDestroyNotify)outgoing_op_free,
                  xi_store_next_outgoing_async, cancellable, callback, user_data);
}

/**
 * xi_store_next_outgoing_finish:
 * @sent_today: (out): when @after_position was 0, messages of this
 *   campaign sent since local midnight; otherwise 0
 *
 * Returns: (transfer container) (element-type XiOutgoing): the messages;
 *   empty when none is left
 */
GPtrArray *
xi_store_next_outgoing_finish (XiStore       *self,
                               GAsyncResult  *result,
                               guint         *sent_today,
                               GError       **error)
{
  OutgoingBatch *batch;
  GPtrArray *rows;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  *sent_today = 0;
  batch = g_task_propagate_pointer (G_TASK (result), error);
  if (batch == NULL)
    return NULL;
  rows = g_steal_pointer (&batch->rows);
  *sent_today = batch->sent_today;
  outgoing_batch_free (batch);
  return rows;
}

typedef struct
{
  char      *job_id;
  GPtrArray *outcomes;
} OutcomesOp;

static void
outcomes_op_free (OutcomesOp *op)
{
  g_free (op->job_id);
  g_ptr_array_unref (op->outcomes);
  g_free (op);
}

/* A message that went out after the user cancelled elsewhere (the
 * cancel skipped its row while it was on the wire) did reach the person:
 * the report must say so, and the quota count it. */
static gboolean
record_late_send (XiStore     *self,
                  XiOutcome   *outcome,
                  const char  *now,
                  guint       *late,
                  GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = _xi_store_prepare (self,
                            "UPDATE job_recipients SET state = 'sent', skip_reason = NULL, attempts = ?1,"
                            " sent_at = ?2, updated_at = ?2, version = version + 1, sync_status = 'pending'"
                            " WHERE id = ?3 AND state = 'skipped' AND skip_reason IN ('cancelled', 'stopped')",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, outcome->attempts);
  _xi_store_bind_text (stmt, 2, now);
  _xi_store_bind_text (stmt, 3, outcome->row_id);
  if (!_xi_store_step_done (self, stmt, error))
    return FALSE;
  *late += sqlite3_changes (self->db);
  return TRUE;
}

/* The campaign's counters and, when it already finished and settled its
 * quota, the month's use, for late sends. */
static gboolean
count_late_sends (XiStore     *self,
                  const char  *job_id,
                  guint        late,
                  GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = _xi_store_prepare (self, "UPDATE jobs SET skipped = skipped - ?1 WHERE id = ?2", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, late);
  _xi_store_bind_text (stmt, 2, job_id);
  if (!_xi_store_step_done (self, stmt, error))
    return FALSE;

  stmt = _xi_store_prepare (self,
                            "UPDATE user_quotas SET used = used + ?1, version = version + 1"
                            " WHERE master_user_id = ?2 AND period ="
                            " (SELECT period FROM quota_reservations WHERE job_id = ?3 AND state != 'reserved')",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, late);
  _xi_store_bind_text (stmt, 2, self->master_user_id);
  _xi_store_bind_text (stmt, 3, job_id);
  if (!_xi_store_step_done (self, stmt, error))
    return FALSE;

  stmt = _xi_store_prepare (self,
                            "UPDATE quota_reservations SET state = 'committed', committed = committed + ?1,"
                            " released = MAX (released - ?1, 0), version = version + 1"
                            " WHERE job_id = ?2 AND state != 'reserved'",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, late);
  _xi_store_bind_text (stmt, 2, job_id);
  return _xi_store_step_done (self, stmt, error);
}

static gboolean
record_outcome (XiStore     *self,
                XiOutcome   *outcome,
                const char  *now,
                guint       *sent,
                guint       *failed,
                guint       *late,
                GError     **error)
{
  sqlite3_stmt *stmt;

  /* Guarded by the states a row can leave, so an outcome replayed after
   * a crash is a no-op and the counters stay true; a send that raced a
   * cancel is the one exception (record_late_send). */
  stmt = _xi_store_prepare (self,
                            "UPDATE job_recipients SET state = ?1, attempts = ?2, next_attempt_at = ?3,"
                            " last_error = ?4, sent_at = CASE WHEN ?1 = 'sent' THEN ?5 ELSE sent_at END,"
                            " skip_reason = ?7,"
                            " updated_at = ?5, version = version + 1, sync_status = 'pending'"
                            " WHERE id = ?6 AND state IN ('pending', 'sending')",
                            error);
  if (stmt == NULL)
    return FALSE;
  _xi_store_bind_text (stmt, 1, xi_recipient_state_to_string (outcome->state));
  sqlite3_bind_int (stmt, 2, outcome->attempts);
  sqlite3_bind_int64 (stmt, 3, outcome->next_attempt_at);
  _xi_store_bind_text (stmt, 4, outcome->error);
  _xi_store_bind_text (stmt, 5, now);
  _xi_store_bind_text (stmt, 6, outcome->row_id);
  _xi_store_bind_text (stmt, 7, xi_skip_reason_to_string (outcome->reason));
  if (!_xi_store_step_done (self, stmt, error))
    return FALSE;

  if (sqlite3_changes (self->db) == 1)
    {
      if (outcome->state == XI_RECIPIENT_STATE_SENT)
        (*sent)++;
      else if (outcome->state == XI_RECIPIENT_STATE_FAILED)
        (*failed)++;
    }
  else if (outcome->state == XI_RECIPIENT_STATE_SENT)
    {
      guint before = *late;

      if (!record_late_send (self, outcome, now, late, error))
        return FALSE;
      *sent += *late - before;
    }
  return TRUE;
}

/*
 * What the riders of one transaction (outcomes, receipts) add to each
 * campaign's counters: written once per campaign when the riders have
 * run (_xi_store_write_job_counts ()), in the same transaction as their
 * rows, so the counters stay true across a crash. An outcome and a
 * receipt each updated the campaign's row on their own, and each such
 * update cost about as much as the row it counted (the row's TEMP
 * triggers compare every column): a sixth of the store's SQL per
 * message.
 */
typedef struct
{
  guint         sent;
  guint         failed;
  guint         delivered;
  guint         read;
  gboolean      outcomes;  /* then the campaign's updated_at moves too */
  XiJobState    state;
  sqlite3_int64 rowid;
} JobCounts;

/*
 * A campaign still there, with its state and rowid, found once per
 * transaction: its entry in the transaction's counts keeps them for the
 * riders after the first and for the counters' write. Nothing a rider
 * does changes a campaign's state or deletes it, and no other connection
 * writes inside this transaction. The outcome and the receipt of a kept
 * message each read the campaign's row again, 6,000 instructions each,
 * and the counters' write found it again by its id.
 *
 * Returns: (nullable): the campaign's entry, with no counts yet when it
 *   was first found; %NULL with an error when it is gone
 */
static JobCounts *
live_job (XiStore     *self,
          const char  *job_id,
          GError     **error)
{
  JobCounts *counts = NULL;
  XiJobState state = XI_JOB_STATE_PENDING;
  sqlite3_stmt *stmt;
  sqlite3_int64 rowid = 0;
  int rc;

  if (self->job_counts == NULL)
    self->job_counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  counts = g_hash_table_lookup (self->job_counts, job_id);
  if (counts != NULL)
    return counts;

  stmt = _xi_store_prepare (self,
                            "SELECT state, rowid FROM jobs WHERE id = ?1 AND master_user_id = ?2 AND deleted = 0",
                            error);
  if (stmt == NULL)
    return NULL;
  _xi_store_bind_text (stmt, 1, job_id);
  _xi_store_bind_text (stmt, 2, self->master_user_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      xi_job_state_from_string ((const char *)sqlite3_column_text (stmt, 0), &state);
      rowid = sqlite3_column_int64 (stmt, 1);
    }
  sqlite3_reset (stmt);
  if (rc == SQLITE_DONE)
    g_set_error_literal (error, XI_STORE_ERROR, XI_STORE_ERROR_NOT_FOUND, _("The campaign no longer exists."));
  else if (rc != SQLITE_ROW)
    _xi_store_set_error (self, rc, error);
  if (rc != SQLITE_ROW)
    return NULL;

  counts = g_new0 (JobCounts, 1);
  counts->state = state;
  counts->rowid = rowid;
  g_hash_table_insert (self->job_counts, g_strdup (job_id), counts);
  return counts;
}

/**
 * _xi_store_write_job_counts:
 * @self: a #XiStore, on its thread, in the transaction its riders ran in
 * @error: return location for a #GError
 *
 * Adds what the riders counted to their campaigns' rows. Each campaign
 * was found live by its riders in this transaction (live_job ()), which
 * nothing else writes, so each update finds its row by the rowid found
 * then.
 *
 * Returns: whether the counters were written; the transaction must not
 *   commit otherwise
 */
gboolean
_xi_store_write_job_counts (XiStore  *self,
                            GError  **error)
{
  g_autoptr(GHashTable) all = g_steal_pointer (&self->job_counts);
  g_autofree char *now = NULL;
  GHashTableIter iter;
  JobCounts *counts;

  if (all == NULL)
    return TRUE;
  now = _xi_store_now ();
  g_hash_table_iter_init (&iter, all);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&counts))
    {
      sqlite3_stmt *stmt;

      /* Found by a rider that then failed, or counted nothing. */
      if (!counts->outcomes && counts->sent + counts->failed + counts->delivered + counts->read == 0)
        continue;
      stmt = _xi_store_prepare (self,
                                "UPDATE jobs SET sent = sent + ?1, failed = failed + ?2,"
                                " delivered = delivered + ?3, read = read + ?4,"
                                " updated_at = CASE WHEN ?5 THEN ?6 ELSE updated_at END"
                                " WHERE rowid = ?7",
                                error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int (stmt, 1, counts->sent);
      sqlite3_bind_int (stmt, 2, counts->failed);
      sqlite3_bind_int (stmt, 3, counts->delivered);
      sqlite3_bind_int (stmt, 4, counts->read);
      sqlite3_bind_int (stmt, 5, counts->outcomes);
      _xi_store_bind_text (stmt, 6, now);
      sqlite3_bind_int64 (stmt, 7, counts->rowid);
      if (!_xi_store_step_done (self, stmt, error))
        return FALSE;
    }
  return TRUE;
}

/* Only the campaign's state comes back, for the sender to notice a pause
 * or a cancel made elsewhere: a whole campaign, read or returned
 * (RETURNING) with every outcome, cost more than the outcome itself, and
 * the sender reads it again only as often as it shows progress. The
 * counters are added once the transaction's riders have run. */
static gpointer
record_outcomes (XiStore   *self,
                 gpointer   data,
                 GError   **error)
{
  OutcomesOp *op = data;
  g_autofree char *now = _xi_store_now ();
  g_autofree XiJobState *state = g_new0 (XiJobState, 1);
  guint sent = 0, failed = 0, late = 0;
  JobCounts *counts;

  /* Checked first: outcomes of a deleted campaign change nothing. */
  counts = live_job (self, op->job_id, error);
  if (counts == NULL)
    return NULL;
  *state = counts->state;
  for (guint i = 0; i < op->outcomes->len; i++)
    if (!record_outcome (self, g_ptr_array_index (op->outcomes, i), now, &sent, &failed, &late, error))
      return NULL;
  if (late > 0 && !count_late_sends (self, op->job_id, late, error))
    return NULL;

  counts->sent += sent;
  counts->failed += failed;
  counts->outcomes = TRUE;
  return g_steal_pointer (&state);
}

/**
 * xi_store_record_outcomes_async:
 * @self: a #XiStore
 * @job_id: the campaign the outcomes belong to
 * @outcomes: (element-type XiOutcome): what the tries came to; the store
 *   keeps a reference
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Records a group of outcomes and the job's counters in one transaction
 * (a group commit: the engine hands over what piled up while the last
 * commit ran). The write rides in the transaction of the next key write
 * (the one before the following message), or goes alone shortly after
 * when none comes.
 */
void
xi_store_record_outcomes_async (XiStore             *self,
                                const char          *job_id,
                                GPtrArray           *outcomes,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  OutcomesOp *op;

  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (job_id != NULL);
  g_return_if_fail (outcomes != NULL);

  op = g_new0 (OutcomesOp, 1);
  op->job_id = g_strdup (job_id);
  op->outcomes = g_ptr_array_ref (outcomes);
  _xi_store_push_rider (self, record_outcomes, op, (GDestroyNotify)outcomes_op_free, g_free, FALSE,
                        xi_store_record_outcomes_async, cancellable, callback, user_data);
}

/**
 * xi_store_record_outcomes_finish:
 * @self: a #XiStore
 * @result: the result
 * @state: (out) (optional): the campaign's state once they were recorded
 * @error: return location for a #GError
 *
 * Returns: whether the outcomes were recorded
 */
gboolean
xi_store_record_outcomes_finish (XiStore       *self,
                                 GAsyncResult  *result,
                                 XiJobState    *state,
                                 GError       **error)
{
  g_autofree XiJobState *recorded = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  recorded = g_task_propagate_pointer (G_TASK (result), error);
  if (recorded == NULL)
    return FALSE;
  if (state != NULL)
    *state = *recorded;
  return TRUE;
}

/* A message written by hand or an automatic reply (outgoing_messages):
 * the same forward-only moves as a campaign's rows, and a receipt for a
 * message nobody here sent changes nothing. A receipt may overtake the
 * server's ack, so a pending message moves too. */
static gboolean
record_outgoing_receipt (XiStore     *self,
                         const char  *message_id,
                         gboolean     read,
                         const char  *when,
                         const char  *now,
                         GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = _xi_store_prepare (self,
                            "UPDATE outgoing_messages SET state = ?1,"
                            " sent_at = coalesce (sent_at, ?2),"
                            " delivered_at = coalesce (delivered_at, ?2),"
                            " read_at = CASE WHEN ?1 = 'read' THEN ?2 ELSE read_at END,"
                            " updated_at = ?3, version = version + 1"
                            " WHERE master_user_id = ?4 AND wa_message_id = ?5"
                            " AND (state = 'pending' OR state = 'sent'"
                            "  OR (state = 'delivered' AND ?1 = 'read'))",
                            error);
  if (stmt == NULL)
    return FALSE;
  _xi_store_bind_text (stmt, 1, read ? "read" : "delivered");
  _xi_store_bind_text (stmt, 2, when);
  _xi_store_bind_text (stmt, 3, now);
  _xi_store_bind_text (stmt, 4, self->master_user_id);
  _xi_store_bind_text (stmt, 5, message_id);
  return _xi_store_step_done (self, stmt, error);
}

/* How a batch of receipts moves one campaign's counters. */
typedef struct
{
  guint delivered;
  guint read;
} ReceiptCounts;

static gboolean
record_receipt (XiStore     *self,
                XiReceipt   *receipt,
                const char  *now,
                GHashTable  *changed_jobs,
                GError     **error)
{
  /* A receipt without a time, or with one no calendar holds (the peer
   * says what it likes), is dated when it is recorded. */
  g_autofree char *stated = receipt->timestamp > 0 ? iso_from_unix (receipt->timestamp) : NULL;
  const char *when = stated != NULL ? stated : now;
  g_autofree char *job_id = NULL;
  XiRecipientState previous = XI_RECIPIENT_STATE_PENDING;
  gboolean read = receipt->state == XI_RECIPIENT_STATE_READ;
  ReceiptCounts *counts;
  sqlite3_stmt *stmt;
  sqlite3_int64 rowid = 0;
  int rc;

  stmt = _xi_store_prepare (self,
                            "SELECT job_id, state, rowid FROM job_recipients"
                            " WHERE wa_message_id = ?1 AND master_user_id = ?2",
                            error);
  if (stmt == NULL)
    return FALSE;
  _xi_store_bind_text (stmt, 1, receipt->message_id);
  _xi_store_bind_text (stmt, 2, self->master_user_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      job_id = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
      _xi_recipient_state_from_string ((const char *)sqlite3_column_text (stmt, 1), &previous);
      rowid = sqlite3_column_int64 (stmt, 2);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _xi_store_set_error (self, rc, error);
      return FALSE;
    }

  if (job_id == NULL)
    return record_outgoing_receipt (self, receipt->message_id, read, when, now, error);

  /* Receipts only move forward; a late "delivered" after "read", or one
   * for a message we do not know, changes nothing. */
  if (previous == XI_RECIPIENT_STATE_READ ||
      (previous == XI_RECIPIENT_STATE_DELIVERED && !read) ||
      (previous != XI_RECIPIENT_STATE_SENT && previous != XI_RECIPIENT_STATE_DELIVERED))
    return TRUE;

  /* The row just read, and only it, moves with the count: found again by
   * its message id, which no index holds unique, the row's triggers made
   * SQLite collect the matches in a temporary table first, which cost a
   * receipt 25,000 instructions of its 56,000. */
  stmt = _xi_store_prepare (self,
                            "UPDATE job_recipients SET state = ?1,"
                            " delivered_at = COALESCE (delivered_at, ?2),"
                            " read_at = CASE WHEN ?1 = 'read' THEN ?2 ELSE read_at END,"
                            " updated_at = ?3, version = version + 1, sync_status = 'pending'"
                            " WHERE rowid = ?4",
                            error);
  if (stmt == NULL)
    return FALSE;
  _xi_store_bind_text (stmt, 1, read ? "read" : "delivered");
  _xi_store_bind_text (stmt, 2, when);
  _xi_store_bind_text (stmt, 3, now);
  sqlite3_bind_int64 (stmt, 4, rowid);
  if (!_xi_store_step_done (self, stmt, error))
    return FALSE;

  counts = g_hash_table_lookup (changed_jobs, job_id);
  if (counts == NULL)
    {
      counts = g_new0 (ReceiptCounts, 1);
      g_hash_table_insert (changed_jobs, g_steal_pointer (&job_id), counts);
    }
  counts->delivered += previous == XI_RECIPIENT_STATE_SENT;
  counts->read += read;
  return TRUE;
}

/* The campaign's id goes into @jobs unless it was deleted meanwhile
 * (nobody is shown its ticks then). The campaign itself is not returned:
 * read with every receipt, it cost more than the receipt, and whoever
 * shows it reads it as often as it shows. */
static gboolean
collect_live_job (XiStore     *self,
                  const char  *job_id,
                  GPtrArray   *jobs,
                  GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (live_job (self, job_id, &local_error) == NULL)
    {
      if (g_error_matches (local_error, XI_STORE_ERROR, XI_STORE_ERROR_NOT_FOUND))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  g_ptr_array_add (jobs, g_strdup (job_id));
  return TRUE;
}

/* The counters are added to the transaction's counts only once nothing
 * in this rider can fail any more: a failed rider's savepoint is rolled
 * back, and counts it had added would still be written. */
static gpointer
record_receipts (XiStore   *self,
                 gpointer   data,
                 GError   **error)
{
  GPtrArray *receipts = data;
  g_autoptr(GHashTable) changed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GPtrArray) jobs = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *now = _xi_store_now ();
  GHashTableIter iter;
  const char *job_id;

  for (guint i = 0; i < receipts->len; i++)
    if (!record_receipt (self, g_ptr_array_index (receipts, i), now, changed, error))
      return NULL;

  g_hash_table_iter_init (&iter, changed);
  while (g_hash_table_iter_next (&iter, (gpointer *)&job_id, NULL))
    if (!collect_live_job (self, job_id, jobs, error))
      return NULL;
  for (guint i = 0; i < jobs->len; i++)
    {
      ReceiptCounts *counts = g_hash_table_lookup (changed, g_ptr_array_index (jobs, i));
      JobCounts *job_counts = g_hash_table_lookup (self->job_counts, g_ptr_array_index (jobs, i));

      job_counts->delivered += counts->delivered;
      job_counts->read += counts->read;
    }
  g_ptr_array_add (jobs, NULL);
  g_ptr_array_set_free_func (jobs, NULL);
  return g_ptr_array_free (g_steal_pointer (&jobs), FALSE);
}

/**
 * xi_store_record_receipts_async:
 * @self: a #XiStore
 * @receipts: (element-type XiReceipt): delivered and read receipts; the
 *   store keeps a reference
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Moves sent messages to delivered or read. Like outcomes, the write
 * rides in the next key write's transaction, or goes alone shortly after.
 */
void
xi_store_record_receipts_async (XiStore             *self,
                                GPtrArray           *receipts,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (receipts != NULL);

  _xi_store_push_rider (self, record_receipts, g_ptr_array_ref (receipts),
                        (GDestroyNotify)g_ptr_array_unref, (GDestroyNotify)g_strfreev, FALSE,
                        xi_store_record_receipts_async, cancellable, callback, user_data);
}

/**
 * xi_store_record_receipts_finish:
 *
 * Returns: (transfer full) (array zero-terminated=1): the ids of the
 *   campaigns whose counters changed
 */
char **
xi_store_record_receipts_finish (XiStore       *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
