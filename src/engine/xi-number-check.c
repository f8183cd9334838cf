/* xi-number-check.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-number-check"

#include "config.h"

#include <glib/gi18n.h>

#include "wa-connection.h"
#include "wa-jid.h"
#include "wa-lid-map.h"
#include "wa-usync.h"
#include "xi-number-check.h"

/*
 * "Is this number on WhatsApp?" for many numbers, on the thread of the
 * client. Asking about numbers in bulk without messaging them is itself a
 * ban signal (FIELD-NOTES.md, "Validate numbers — but sparingly"), so the
 * questions go at most WA_USYNC_MAX_CONTACTS at a time with a random
 * pause of a few seconds between them, and each answer is stored as soon
 * as it comes, so a cancelled check never has to ask again.
 */

typedef struct
{
  WaClient              *client;
  XiStore               *store;
  char                 **phones;
  guint                  n_phones;
  guint                  next;          /* the first phone not asked yet */
  guint                  pause_min_ms;
  guint                  pause_max_ms;
  XiNumberCheckProgress  progress;
  gpointer               progress_data;
  GPtrArray             *results;       /* WaContactCheck* */
  GSource               *pause;
} Check;

static void
check_free (Check *check)
{
  if (check->pause != NULL)
    {
      g_source_destroy (check->pause);
      g_source_unref (check->pause);
    }
  g_clear_object (&check->client);
  g_clear_object (&check->store);
  g_strfreev (check->phones);
  g_ptr_array_unref (check->results);
  g_free (check);
}

static void ask_next (GTask *task);

static gboolean
paused_cb (gpointer user_data)
{
  GTask *task = user_data;
  Check *check = g_task_get_task_data (task);

  g_clear_pointer (&check->pause, g_source_unref);
  ask_next (task);
  return G_SOURCE_REMOVE;
}

static void
stored_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  Check *check = g_task_get_task_data (task);
  GError *error = NULL;
  guint pause_ms;

  xi_store_set_on_whatsapp_finish (XI_STORE (object), result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (check->progress != NULL)
    check->progress (check->next, check->n_phones, check->progress_data);
  if (check->next >= check->n_phones)
    {
      g_task_return_pointer (task, g_ptr_array_ref (check->results), (GDestroyNotify) g_ptr_array_unref);
      g_object_unref (task);
      return;
    }
  pause_ms = check->pause_max_ms > check->pause_min_ms
             ? (guint) g_random_int_range (check->pause_min_ms, check->pause_max_ms + 1)
             : check->pause_min_ms;
  check->pause = g_timeout_source_new (pause_ms);
  g_source_set_callback (check->pause, paused_cb, task, NULL);
  /* A cancel ends the pause at once, not after it. */
  if (g_task_get_cancellable (task) != NULL)
    {
      g_autoptr(GSource) cancelled = g_cancellable_source_new (g_task_get_cancellable (task));

      g_source_set_dummy_callback (cancelled);
      g_source_add_child_source (check->pause, cancelled);
    }
  g_source_attach (check->pause, g_main_context_get_thread_default ());
}

static void
answered_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  Check *check = g_task_get_task_data (task);
  g_autoptr(WaNode) answer = NULL;
  g_autoptr(GPtrArray) checks = NULL;
  g_autoptr(GStrvBuilder) on = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) off = g_strv_builder_new ();
  g_auto(GStrv) on_phones = NULL;
  g_auto(GStrv) off_phones = NULL;
  GError *error = NULL;

  answer = wa_connection_send_iq_finish (WA_CONNECTION (object), result, &error);
  if (answer == NULL || (checks = wa_usync_parse_contacts (answer, &error)) == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  for (guint i = 0; i < checks->len; i++)
    {
      WaContactCheck *one = g_ptr_array_index (checks, i);
      g_autoptr(WaJid) jid = one->jid != NULL ? wa_jid_parse (one->jid, NULL) : NULL;
      g_autoptr(WaJid) lid = one->lid != NULL ? wa_jid_parse (one->lid, NULL) : NULL;

      g_strv_builder_add (one->on_whatsapp ? on : off, one->phone);
      /* The answer names the LID a reply may come from (WA-FIDELITY §6). */
      if (jid != NULL && lid != NULL && wa_jid_is_pn (jid) && wa_jid_is_lid (lid))
        wa_lid_map_remember (wa_client_get_key_store (check->client), wa_jid_get_user (lid),
                             wa_jid_get_user (jid));
    }
  g_ptr_array_extend_and_steal (check->results, g_steal_pointer (&checks));
  on_phones = g_strv_builder_end (on);
  off_phones = g_strv_builder_end (off);
  xi_store_set_on_whatsapp_async (check->store, (const char * const *) on_phones,
                                  (const char * const *) off_phones, NULL, stored_cb, task);
}

static void
ask_next (GTask *task)
{
  Check *check = g_task_get_task_data (task);
  WaConnection *connection = wa_client_get_connection (check->client);
  g_autoptr(WaNode) iq = NULL;
  GError *error = NULL;
  const char *batch[WA_USYNC_MAX_CONTACTS + 1] = { NULL, };
  guint n = 0;

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }
  if (wa_client_get_state (check->client) != WA_CLIENT_STATE_CONNECTED || connection == NULL)
    {
      g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                           _("WhatsApp is not connected. Check again once it is."));
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  while (n < WA_USYNC_MAX_CONTACTS && check->next < check->n_phones)
    batch[n++] = check->phones[check->next++];
  iq = wa_usync_contacts_request (batch);
  wa_connection_send_iq_async (connection, iq, WA_CONNECTION_IQ_TIMEOUT_MS, g_task_get_cancellable (task),
                               answered_cb, task);
}

/**
 * xi_number_check_read_pause:
 * @min_ms: (out): the shortest pause between two batches
 * @max_ms: (out): the longest
 *
 * The pause between batches: 3 to 8 seconds, or what XI_CHECK_PAUSE_MS
 * ("MIN-MAX" in milliseconds) says, for tests.
 */
void
xi_number_check_read_pause (guint *min_ms,
                            guint *max_ms)
{
  const char *text = g_getenv ("XI_CHECK_PAUSE_MS");
  guint64 min = XI_NUMBER_CHECK_PAUSE_MIN_MS, max = XI_NUMBER_CHECK_PAUSE_MAX_MS;
  char *end = NULL;

  if (text != NULL)
    {
      min = g_ascii_strtoull (text, &end, 10);
      max = end != NULL && *end == '-' ? g_ascii_strtoull (end + 1, NULL, 10) : min;
    }
  *min_ms = (guint) MIN (min, G_MAXINT / 2);
  *max_ms = (guint) CLAMP (max, *min_ms, G_MAXINT / 2);
}

/**
 * xi_number_check_is_due:
 * @contact: a contact
 * @now: Unix seconds
 *
 * Returns: whether @contact's number was never checked, or not within
 *   the last %XI_NUMBER_CHECK_FRESH_DAYS days, or at a time more than a
 *   day ahead of @now
 */
gboolean
xi_number_check_is_due (XiContact *contact,
                        gint64     now)
{
  gint64 checked_at = xi_contact_get_on_whatsapp_checked_at (contact);

  /* The time of a check is the clock of the computer that made it. Sync
   * stores another computer's future stamps as made now; one still in
   * the future was made here by a clock since set back, and would look
   * fresh for as long as it ran fast. A day covers clocks that merely
   * differ. */
  return xi_contact_get_on_whatsapp (contact) == XI_ON_WHATSAPP_UNKNOWN || checked_at <= 0 ||
         checked_at - now > (gint64) 24 * 3600 ||
         now - checked_at >= (gint64) XI_NUMBER_CHECK_FRESH_DAYS * 24 * 3600;
}

/**
 * xi_number_check_async:
 * @client: a connected client, on this thread
 * @store: where each batch's answers are recorded (on the contacts with
 *   those numbers)
 * @phones: numbers, E.164 digits
 * @pause_min_ms: the shortest pause between two batches
 * @pause_max_ms: the longest
 * @progress: (nullable) (scope notified): called after each batch with
 *   the numbers asked so far and the total
 * @progress_data: for @progress
 * @cancellable: (nullable): stops between batches; what was answered
 *   stays recorded
 * @callback: called with the result
 * @user_data: closure
 *
 * Asks WhatsApp which of @phones have an account, in batches of at most
 * %WA_USYNC_MAX_CONTACTS with a random pause between them.
 */
void
xi_number_check_async (WaClient              *client,
                       XiStore               *store,
                       const char * const    *phones,
                       guint                  pause_min_ms,
                       guint                  pause_max_ms,
                       XiNumberCheckProgress  progress,
                       gpointer               progress_data,
                       GCancellable          *cancellable,
                       GAsyncReadyCallback    callback,
                       gpointer               user_data)
{
  GTask *task;
  Check *check;

  g_return_if_fail (WA_IS_CLIENT (client));
  g_return_if_fail (XI_IS_STORE (store));
  g_return_if_fail (phones != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, xi_number_check_async);
  check = g_new0 (Check, 1);
  check->client = g_object_ref (client);
  check->store = g_object_ref (store);
  check->phones = g_strdupv ((char **) phones);
  check->n_phones = g_strv_length (check->phones);
  check->pause_min_ms = pause_min_ms;
  check->pause_max_ms = MAX (pause_max_ms, pause_min_ms);
  check->progress = progress;
  check->progress_data = progress_data;
  check->results = g_ptr_array_new_with_free_func ((GDestroyNotify) wa_contact_check_free);
  g_task_set_task_data (task, check, (GDestroyNotify) check_free);

  if (check->n_phones == 0)
    {
      g_task_return_pointer (task, g_ptr_array_ref (check->results), (GDestroyNotify) g_ptr_array_unref);
      g_object_unref (task);
      return;
    }
  ask_next (task);
}

/**
 * xi_number_check_finish:
 *
 * Returns: (transfer full) (element-type WaContactCheck): the answer for
 *   each number the server answered about
 */
GPtrArray *
xi_number_check_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
