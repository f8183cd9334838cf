/* xi-store-inbox.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "xi-store-inbox"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "xi-inbox-private.h"
#include "xi-limits.h"
#include "xi-log.h"
#include "xi-phone.h"
#include "xi-store-private.h"

/*
 * The inbox and the suppression list (SPEC.md, worker 6).
 *
 * An incoming message is stored once per WhatsApp message id: WhatsApp
 * delivers again whatever it did not see acknowledged, and a reconnect
 * replays the offline queue, so duplicates are normal and must not show
 * twice, count twice as unread, or opt anybody out twice. A reply that is
 * an opt-out is stored together with its consequences (the contact marked,
 * the suppression event, the activity entry) in one transaction: either
 * the number is suppressed and the message shows, or neither happened and
 * the message comes again.
 *
 * Conversations are keyed by phone number, not by contact, so a reply from
 * a number that is not (or no longer) a contact still shows. A customer
 * whose number WhatsApp hides writes from a LID alone: the message is kept
 * all the same, without a number and under its LID ("…@lid" in from_jid),
 * which keys its conversation and, should it be an opt-out, its
 * suppression event, until the number is known (_xi_store_join_lid ()).
 */

#define INCOMING_COLUMNS \
  "m.id, m.wa_message_id, coalesce (m.phone, m.from_jid), m.contact_id, c.name, m.job_id, m.text, m.received_at," \
  " m.is_read, (SELECT s.keyword FROM suppression_events s WHERE s.master_user_id = m.master_user_id" \
  "  AND s.message_id = m.wa_message_id AND s.event = 'opt_out' AND s.deleted = 0 LIMIT 1)," \
  " " XI_STORE_MEDIA_COLUMNS

#define INCOMING_FROM \
  " FROM incoming_messages m LEFT JOIN contacts c ON c.id = m.contact_id AND c.deleted = 0" \
  XI_STORE_MEDIA_JOIN

/* A number's latest suppression event is an opt-out. */
#define SUPPRESSED(phone) \
  "EXISTS (SELECT 1 FROM suppression_events s WHERE s.master_user_id = ?1" \
  " AND s.phone = " phone " AND s.deleted = 0 AND s.event = 'opt_out' AND NOT EXISTS (" \
  "  SELECT 1 FROM suppression_events t WHERE t.master_user_id = s.master_user_id" \
  "  AND t.phone = s.phone AND t.deleted = 0 AND t.created_at > s.created_at))"

static const char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  return (const char *)sqlite3_column_text (stmt, column);
}

static XiIncoming *
incoming_from_row (XiStore      *self,
                   sqlite3_stmt *stmt)
{
  XiIncoming *incoming;

  incoming = _xi_incoming_new (column_text (stmt, 0), column_text (stmt, 1), column_text (stmt, 2),
                               column_text (stmt, 3), column_text (stmt, 4), column_text (stmt, 5),
                               column_text (stmt, 6), column_text (stmt, 7),
                               sqlite3_column_int (stmt, 8), column_text (stmt, 9));
  _xi_incoming_take_media (incoming, _xi_store_media_from_row (self, stmt, 10));
  return incoming;
}

/* Only the digits of a number: the WhatsApp transport says "+62…", the
 * store keeps "62…". A LID stays as it is: its digits are no number. */
static char *
address_key (const char *address)
{
  GString *digits;

  if (xi_phone_is_lid (address))
    return g_strdup (address);
  digits = g_string_new (NULL);
  for (const char *p = address; p != NULL && *p != '\0'; p++)
    if (g_ascii_isdigit (*p))
      g_string_append_c (digits, *p);
  return g_string_free (digits, FALSE);
}

/* What the server takes for a number: digits, 7 to 15, no leading 0. */
static gboolean
is_number_shape (const char *digits)
{
  gsize len = strspn (digits, "0123456789");

  return digits[0] > '0' && len >= 7 && len <= 15 && digits[len] == '\0';
}

/* Whether the message row @m is from the address ?2: its number, or the
 * LID it came from while the number was not known. */
#define IS_FROM(m) \
  "(" m ".phone = ?2 OR (" m ".phone IS NULL AND " m ".from_jid = ?2))"

/* "+62 812-****-7890": the country, the first group and the last group
 * stay readable so the user knows whom it was, the middle is hidden. A
 * LID says only that the number is hidden. */
char *
_xi_store_mask_phone (const char *digits)
{
  g_autofree char *formatted = NULL;
  const char *first;
  const char *middle;
  const char *last;
  char *out;

  if (xi_phone_is_lid (digits))
    return xi_phone_format_address (digits);
  formatted = xi_phone_format_international (digits);
  first = strchr (formatted, ' ');
  middle = first != NULL ? strpbrk (first + 1, " -") : NULL;
  last = strrchr (formatted, '-');

  if (middle == NULL || last == NULL || last <= middle)
    return xi_log_anonymize_phone (digits);

  out = g_strdup (formatted);
  for (char *p = out + (middle - formatted); p < out + (last - formatted); p++)
    if (g_ascii_isdigit (*p))
      *p = '*';
  return out;
}

/* Recording a message */

typedef struct
{
  char *phone;
  char *from_jid;
  char *message_id;
  char *text;
  char *opt_out_keyword;
  XiMediaInfo *media;
  gboolean     failing;  /* XI_TEST_FAIL_INCOMING=once chose this one */
} RecordOp;

static void
record_op_free (RecordOp *op)
{
  g_free (op->phone);
  g_free (op->from_jid);
  g_free (op->message_id);
  g_free (op->text);
  g_free (op->opt_out_keyword);
  xi_media_info_free (op->media);
  g_free (op);
}

typedef struct
{
  XiIncoming *incoming;
  gboolean    duplicate;
} RecordResult;

static void
record_result_free (RecordResult *result)
{
  g_clear_object (&result->incoming);
  g_free (result);
}

XiIncoming *
_xi_store_load_incoming (XiStore     *self,
                         const char  *message_id,
                         GError     **error)
{
  sqlite3_stmt *stmt;
  XiIncoming *incoming = NULL;
  int rc;

  /* Not _xi_store_query_one (): a kept file's path comes from the store. */
  stmt = _xi_store_prepare (self,
                            "SELECT " INCOMING_COLUMNS INCOMING_FROM
                            " WHERE m.master_user_id = ?1 AND m.wa_message_id = ?2",
                            error);
  if (stmt == NULL)
    return NULL;
  _xi_store_bind_text (stmt, 1, self->master_user_id);
  _xi_store_bind_text (stmt, 2, message_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    incoming = incoming_from_row (self, stmt);
  else if (rc == SQLITE_DONE)
    g_set_error_literal (error, XI_STORE_ERROR, XI_STORE_ERROR_NOT_FOUND, _("The message is not in the inbox."));
  else
    _xi_store_set_error (self, rc, error);
  sqlite3_reset (stmt);
  return incoming;
}

/* The first text column of a one-row query binding the user as ?1 and
 * @a as ?2, or %NULL when there is no row. */
static char *
query_text (XiStore     *self,
            const char  *sql,
            const char  *a,
            GError     **error)
{
  sqlite3_stmt *stmt = _xi_store_prepare (self, sql, error);
  char *text = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  _xi_store_bind_text (stmt, 1, self->master_user_id);
  _xi_store_bind_text (stmt, 2, a);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    text = g_strdup (column_text (stmt, 0));
  else if (rc != SQLITE_DONE)
    _xi_store_set_error (self, rc, error);
  sqlite3_reset (stmt);
  return text;
}

/* The opt-out of a reply: the contact (if any) marked, the number on the
 * suppression list, the user told in the activity log. */
static gboolean
apply_reply_opt_out (XiStore     *self,
                     const char  *phone,
                     const char  *contact_id,
                     const char  *keyword,
                     const char  *message_id,
                     const char  *now,
                     GError     **error)
{
  g_autofree char *masked = _xi_store_mask_phone (phone);
  g_autofree char *summary = NULL;

  /* Translators: the first %s is a phone number with the middle hidden,
   * the second the opt-out keyword the customer replied with */
  summary = g_strdup_printf (_("%s opted out by replying “%s”"), masked, keyword);

  return _xi_store_set_contact_opted_out (self, contact_id, TRUE, now, error) &&
         _xi_store_record_suppression (self, phone, contact_id, TRUE, "reply", keyword, message_id, now, error) &&
         _xi_store_log_activity (self, "reply.opted-out", summary, NULL, error);
}

/* Test settings (DESIGN.md: environment variables the tests set): with
 * XI_TEST_HOLD_INCOMING the store creates that file once a customer's
 * message is written but not committed, and waits there for good, so a
 * test can kill the process at that very point; XI_TEST_FAIL_INCOMING
 * makes the write fail as a full disk would (set to "once", only the
 * first message's, as a disk that had room again: every run of its
 * rider fails, the first under the riders' shared savepoint and the
 * second on its own, so its transaction fails); XI_TEST_SLOW_INCOMING=MS
 * makes each write take MS longer, as a slow disk would. None is set
 * otherwise. */
static gboolean
test_settings_stop_incoming (XiStore   *self,
                             RecordOp  *op,
                             GError   **error)
{
  static gboolean failed_once;
  const char *hold = _xi_store_test_setting (self, XI_STORE_TEST_HOLD_INCOMING);
  const char *slow = _xi_store_test_setting (self, XI_STORE_TEST_SLOW_INCOMING);
  const char *fail = _xi_store_test_setting (self, XI_STORE_TEST_FAIL_INCOMING);

  if (slow != NULL)
    g_usleep (g_ascii_strtoull (slow, NULL, 10) * 1000);

  if (fail != NULL && (!g_str_equal (fail, "once") || !failed_once || op->failing))
    {
      failed_once = TRUE;
      op->failing = TRUE;
      g_set_error_literal (error, XI_STORE_ERROR, XI_STORE_ERROR_DISK_FULL, "XI_TEST_FAIL_INCOMING");
      return TRUE;
    }
  if (hold == NULL || !g_file_set_contents (hold, "", 0, NULL))
    return FALSE;
  for (;;)
    g_usleep (G_USEC_PER_SEC);
}

/* A rider (_xi_store_push_rider ()), so that the message is in the same
 * transaction as the key write that follows its decryption, or in one
 * before it: the session that read it is never saved without it, and the
 * receipt that lets WhatsApp forget it waits for its commit. */
static gpointer
record_incoming_rider (XiStore  *self,
                       gpointer  data,
                       GError  **error)
{
  RecordOp *op = data;
  g_autofree char *now = _xi_store_now ();
  g_autofree char *id = NULL;
  g_autofree char *contact_id = NULL;
  g_autofree char *job_id = NULL;
  g_autofree char *existing = NULL;
  RecordResult *result;
  GError *local_error = NULL;
  sqlite3_stmt *stmt;

  existing = query_text (self,
                         "SELECT id FROM incoming_messages"
                         " WHERE master_user_id = ?1 AND wa_message_id = ?2",
                         op->message_id, &local_error);
  if (local_error != NULL)
    goto failed;

  /* The number may have come since the messenger looked, from another
   * process linked to the same account. */
  if (existing == NULL && op->phone == NULL)
    {
      g_autofree char *lid_user = g_strndup (op->from_jid, strcspn (op->from_jid, "@"));

      op->phone = _xi_store_pn_of_lid (self, lid_user);
      if (op->phone != NULL && !is_number_shape (op->phone))
        g_clear_pointer (&op->phone, g_free);
    }

  if (existing == NULL)
    {
      contact_id = query_text (self,
                               "SELECT id FROM contacts"
                               " WHERE master_user_id = ?1 AND phone = ?2 AND deleted = 0",
                               op->phone, &local_error);
      if (local_error != NULL)
        goto failed;
      job_id = query_text (self,
                           "SELECT job_id FROM job_recipients"
                           " WHERE master_user_id = ?1 AND phone = ?2 AND deleted = 0"
                           " AND wa_message_id IS NOT NULL AND sent_at IS NOT NULL"
                           " ORDER BY sent_at DESC LIMIT 1",
                           op->phone, &local_error);
      if (local_error != NULL)
        goto failed;

      id = _xi_store_new_id ();
      stmt = _xi_store_prepare (self,
                                "INSERT INTO incoming_messages (id, master_user_id, created_at,"
                                " updated_at, wa_message_id, from_jid, phone, contact_id, job_id,"
                                " text, received_at) VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?3)",
                                &local_error);
      if (stmt == NULL)
        goto failed;
      _xi_store_bind_text (stmt, 1, id);
      _xi_store_bind_text (stmt, 2, self->master_user_id);
      _xi_store_bind_text (stmt, 3, now);
      _xi_store_bind_text (stmt, 4, op->message_id);
      _xi_store_bind_text (stmt, 5, op->from_jid);
      _xi_store_bind_text (stmt, 6, op->phone);
      _xi_store_bind_text (stmt, 7, contact_id);
      _xi_store_bind_text (stmt, 8, job_id);
      _xi_store_bind_text (stmt, 9, op->text);
      if (!_xi_store_step_done (self, stmt, &local_error))
        goto failed;
      if (op->media != NULL && !_xi_store_insert_incoming_media (self, id, op->media, &local_error))
        goto failed;

      if (op->opt_out_keyword != NULL &&
          !apply_reply_opt_out (self, op->phone != NULL ? op->phone : op->from_jid, contact_id,
                                op->opt_out_keyword, op->message_id, now, &local_error))
        goto failed;
      if (test_settings_stop_incoming (self, op, &local_error))
        goto failed;
    }

  result = g_new0 (RecordResult, 1);
  result->duplicate = existing != NULL;
  result->incoming = _xi_store_load_incoming (self, op->message_id, &local_error);
  if (result->incoming == NULL)
    {
      record_result_free (result);
      goto failed;
    }
  return result;

failed:
  g_propagate_error (error, local_error);
  return NULL;
}

/* One write of the join: @values (the LID, the number, its contact, a
 * new event's id and time) bound from ?2 on, as far as @sql uses them.
 * Returns the rows it changed, or -1. */
static int
join_write (XiStore            *self,
            const char         *sql,
            const char * const  values[5],
            GError            **error)
{
  sqlite3_stmt *stmt = _xi_store_prepare (self, sql, error);
  int n_params;

  if (stmt == NULL)
    return -1;
  n_params = sqlite3_bind_parameter_count (stmt);
  _xi_store_bind_text (stmt, 1, self->master_user_id);
  for (int i = 0; i < 5 && i + 2 <= n_params; i++)
    _xi_store_bind_text (stmt, i + 2, values[i]);
  if (!_xi_store_step_done (self, stmt, error))
    return -1;
  return sqlite3_changes (self->db);
}

/*
 * The number of a LID became known (it is written to the WhatsApp keys
 * in this transaction): what its customer wrote while WhatsApp hid the
 * number joins the number's conversation, its contact and the campaign
 * that last wrote to it before each message, and an opt-out it sent
 * becomes the number's, unless the number was decided on since, so that
 * no campaign messages that number again. Each LID is joined when
 * its mapping is written, and a message stored later looks the mapping
 * up itself; what was joined keeps its number should the LID move to
 * another. Two LIDs of one number both join it. The messages are found
 * through the index on the number, among those without one.
 *
 * Messages and suppression events are facts the server never changes
 * (SYNC.md: append-only): the messages are given their number here, which
 * a pull of the copy pushed before leaves as it is (xi-store-sync.c,
 * COLUMN_LEARNED); the opt-out is a new event of the number's, which
 * every computer of the account pulls.
 */
gboolean
_xi_store_join_lid (XiStore     *self,
                    const char  *lid_user,
                    const char  *pn_user,
                    GError     **error)
{
  g_autofree char *lid = g_strconcat (lid_user, "@lid", NULL);
  g_autofree char *contact_id = NULL;
  g_autofree char *waiting = NULL;
  g_autofree char *now = NULL;
  g_autofree char *id = NULL;
  const char *values[5] = { NULL };
  GError *local_error = NULL;
  int messages, opt_outs;

  if (!xi_phone_is_lid (lid) || !is_number_shape (pn_user))
    return TRUE;
  /* Most mappings (a history sync writes thousands) have nothing to
   * join: two lookups by index say so. */
  waiting = query_text (self,
                        "SELECT 1 WHERE EXISTS (SELECT 1 FROM incoming_messages WHERE master_user_id = ?1"
                        " AND phone IS NULL AND from_jid = ?2) OR EXISTS (SELECT 1 FROM suppression_events"
                        " WHERE master_user_id = ?1 AND phone = ?2)",
                        lid, &local_error);
  if (local_error != NULL)
    goto failed;
  if (waiting == NULL)
    return TRUE;
  contact_id = query_text (self, "SELECT id FROM contacts WHERE master_user_id = ?1 AND phone = ?2 AND deleted = 0",
                           pn_user, &local_error);
  if (local_error != NULL)
    goto failed;

  /* Each message joins the campaign that last wrote to the number before
   * it came, as it would have when it was stored. */
  values[0] = lid;
  values[1] = pn_user;
  values[2] = contact_id;
  messages = join_write (self,
                         "UPDATE incoming_messages SET phone = ?3, contact_id = ?4, job_id = coalesce (job_id,"
                         " (SELECT r.job_id FROM job_recipients r WHERE r.master_user_id = ?1 AND r.phone = ?3"
                         "  AND r.deleted = 0 AND r.wa_message_id IS NOT NULL AND r.sent_at IS NOT NULL"
                         "  AND r.sent_at <= incoming_messages.received_at ORDER BY r.sent_at DESC LIMIT 1))"
                         " WHERE master_user_id = ?1 AND phone IS NULL AND from_jid = ?2",
                         values, &local_error);
  if (messages < 0)
    goto failed;

  /* The number takes the LID's standing opt-out (its keyword and message)
   * as an event of its own, unless the number decided since (an opt-in
   * the user made after the STOP wins), is on the list already, or took
   * this very event before: a relink writes every mapping again. */
  now = _xi_store_now ();
  id = _xi_store_new_id ();
  values[3] = id;
  values[4] = now;
  opt_outs = join_write (self,
                         "INSERT INTO suppression_events (id, master_user_id, created_at, updated_at, phone,"
                         " contact_id, event, source, keyword, message_id)"
                         " SELECT ?5, ?1, ?6, ?6, ?3, ?4, 'opt_out', 'reply', s.keyword, s.message_id"
                         " FROM suppression_events s WHERE s.master_user_id = ?1 AND s.phone = ?2"
                         " AND s.deleted = 0 AND s.event = 'opt_out' AND NOT EXISTS ("
                         "  SELECT 1 FROM suppression_events t WHERE t.master_user_id = ?1 AND t.deleted = 0"
                         "  AND ((t.phone = ?2 AND t.created_at > s.created_at) OR (t.phone = ?3"
                         "   AND (t.created_at >= s.created_at OR t.message_id = s.message_id))))"
                         " AND NOT " SUPPRESSED ("?3")
                         " ORDER BY s.created_at DESC LIMIT 1",
                         values, &local_error);
  if (opt_outs < 0)
    goto failed;
  if (opt_outs > 0 && !_xi_store_set_contact_opted_out (self, contact_id, TRUE, now, &local_error))
    goto failed;

  /* Neither the LID nor the number: a count says enough. */
  if (messages > 0 || opt_outs > 0)
    g_message ("A customer's number became known: %d messages%s joined its conversation", messages,
               opt_outs > 0 ? " and an opt-out" : "");
  return TRUE;

failed:
  g_propagate_error (error, local_error);
  return FALSE;
}

/* The longest mimetype kept; real ones are a few dozen characters. */
#define MAX_MIMETYPE_CHARS 255

/* The largest preview kept; WhatsApp's apps send a few KB. */
#define MAX_THUMBNAIL_BYTES (256 * 1024)

static void
cut_in_place (char  **text,
              guint   max)
{
  char *cut;

  if (*text == NULL)
    return;
  cut = xi_limit_cut_text (*text, max);
  g_free (*text);
  *text = cut;
}

static void
push_record (XiStore             *self,
             const char          *phone,
             const char          *from_jid,
             const char          *message_id,
             const char          *text,
             const char          *opt_out_keyword,
             XiMediaInfo         *media,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  RecordOp *op = g_new0 (RecordOp, 1);

  if (xi_phone_is_lid (phone))
    op->from_jid = g_strdup (phone);
  else
    {
      op->phone = address_key (phone);
      op->from_jid = from_jid != NULL ? g_strdup (from_jid)
                                      : g_strconcat (op->phone, "@s.whatsapp.net", NULL);
    }
  op->message_id = g_strdup (message_id);
  /* A modified client can send text that is not UTF-8 or megabytes
   * long, which the sync server would refuse for good. */
  op->text = xi_limit_cut_message (text);
  op->opt_out_keyword = g_strdup (opt_out_keyword);
  op->media = media;
  /* So can the name and type of a file it sends, and a preview of up
   * to a frame's 16 MB with each message, which would fill the disk:
   * past the mark the file shows without one. */
  if (media != NULL)
    {
      cut_in_place (&media->file_name, XI_LIMIT_NAME_CHARS);
      cut_in_place (&media->mimetype, MAX_MIMETYPE_CHARS);
      if (media->thumbnail != NULL && g_bytes_get_size (media->thumbnail) > MAX_THUMBNAIL_BYTES)
        g_clear_pointer (&media->thumbnail, g_bytes_unref);
    }

  _xi_store_push_rider (self, record_incoming_rider, op, (GDestroyNotify)record_op_free,
                        (GDestroyNotify)record_result_free, TRUE, xi_store_record_incoming_async, cancellable,
                        callback, user_data);
}

/**
 * xi_store_record_incoming_async:
 * @self: a #XiStore
 * @phone: the sender's number, digits with or without a leading "+"
 * @from_jid: (nullable): the sender's WhatsApp address, when known
 * @message_id: the WhatsApp message id; a second message with the same id
 *   is not stored again
 * @text: the message text
 * @opt_out_keyword: (nullable): the keyword when xi_opt_out_match() says
 *   the message is an opt-out; then the sender is put on the suppression
 *   list, the contact marked opted out and the activity log told, in the
 *   same transaction as the message
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Stores a message from a customer, linked to the contact with that number
 * and to the latest campaign that messaged it.
 */
void
xi_store_record_incoming_async (XiStore             *self,
                                const char          *phone,
                                const char          *from_jid,
                                const char          *message_id,
                                const char          *text,
                                const char          *opt_out_keyword,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (phone != NULL);
  g_return_if_fail (message_id != NULL);

  push_record (self, phone, from_jid, message_id, text, opt_out_keyword, NULL,
               cancellable, callback, user_data);
}

/**
 * xi_store_record_incoming_media_async:
 * @self: a #XiStore
 * @phone: the sender's number, digits with or without a leading "+"
 * @message_id: the WhatsApp message id
 * @caption: (nullable): the text that came with the file
 * @opt_out_keyword: (nullable): as for xi_store_record_incoming_async()
 * @media: the file the message names
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result, for xi_store_record_incoming_finish()
 * @user_data: closure
 *
 * Stores a customer's picture, video, voice note or file as
 * xi_store_record_incoming_async() stores a text, with what it takes to
 * fetch and verify the file later, in the same transaction. Fails with
 * %XI_STORE_ERROR_INVALID, storing nothing, when @media lacks its path,
 * key or hashes.
 */
void
xi_store_record_incoming_media_async (XiStore             *self,
                                      const char          *phone,
                                      const char          *message_id,
                                      const char          *caption,
                                      const char          *opt_out_keyword,
                                      const XiMediaInfo   *media,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (phone != NULL);
  g_return_if_fail (message_id != NULL);
  g_return_if_fail (media != NULL);

  push_record (self, phone, NULL, message_id, caption, opt_out_keyword, xi_media_info_copy (media),
               cancellable, callback, user_data);
}

/**
 * xi_store_record_incoming_finish:
 * @duplicate: (out) (optional): set to %TRUE when the message had been
 *   stored before; nothing was changed then
 *
 * Returns: (transfer full): the stored message
 */
XiIncoming *
xi_store_record_incoming_finish (XiStore       *self,
                                 GAsyncResult  *result,
                                 gboolean      *duplicate,
                                 GError       **error)
{
  RecordResult *record;
  XiIncoming *incoming;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  record = g_task_propagate_pointer (G_TASK (result), error);
  if (record == NULL)
    return NULL;
  if (duplicate != NULL)
    *duplicate = record->duplicate;
  incoming = g_steal_pointer (&record->incoming);
  record_result_free (record);
  return incoming;
}

static void
get_incoming_func (XiStore  *self,
                   GTask    *task,
                   gpointer  data)
{
  GError *error = NULL;
  XiIncoming *incoming = _xi_store_load_incoming (self, data, &error);

  if (incoming == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, incoming, g_object_unref);
}

/**
 * xi_store_get_incoming_async:
 * @self: a #XiStore
 * @message_id: a WhatsApp message id
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Reads one message of the inbox, with its media. Fails with
 * %XI_STORE_ERROR_NOT_FOUND when no customer sent a message with that id.
 */
void
xi_store_get_incoming_async (XiStore             *self,
                             const char          *message_id,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (message_id != NULL);

  _xi_store_push_read (self, get_incoming_func, g_strdup (message_id), g_free,
                       xi_store_get_incoming_async, cancellable, callback, user_data);
}

/**
 * xi_store_get_incoming_finish:
 *
 * Returns: (transfer full): the message
 */
XiIncoming *
xi_store_get_incoming_finish (XiStore       *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Conversations */

static gpointer
conversation_from_row (sqlite3_stmt *stmt)
{
  return _xi_conversation_new (column_text (stmt, 0), column_text (stmt, 1), column_text (stmt, 2),
                               column_text (stmt, 3), column_text (stmt, 4),
                               sqlite3_column_int (stmt, 5), sqlite3_column_int (stmt, 6),
                               sqlite3_column_int (stmt, 7));
}

/* One row per number, and per LID whose number is not known: its latest message (the last one stored, as rows
 * are written in the order messages arrive), its unread and total counts. */
#define CONVERSATION_GROUPS \
  "SELECT phone, max (rowid) AS last_row, sum (is_read = 0) AS unread, count (*) AS n" \
  " FROM incoming_messages WHERE master_user_id = ?1 AND deleted = 0 AND phone IS NOT NULL" \
  " GROUP BY phone" \
  " UNION ALL SELECT from_jid, max (rowid), sum (is_read = 0), count (*)" \
  " FROM incoming_messages WHERE master_user_id = ?1 AND deleted = 0 AND phone IS NULL" \
  " GROUP BY from_jid"

#define CONVERSATION_CONTACT \
  " LEFT JOIN contacts c ON c.master_user_id = ?1 AND c.phone = g.phone AND c.deleted = 0"

static void
list_conversations_func (XiStore  *self,
                         GTask    *task,
                         gpointer  data)
{
  _xi_store_return_rows (self, task,
                         "SELECT g.phone, c.id, c.name, m.text, m.received_at, g.unread, g.n,"
                         " " SUPPRESSED ("g.phone") " OR coalesce (c.opted_out, 0)"
                         " FROM (" CONVERSATION_GROUPS ") g"
                         " JOIN incoming_messages m ON m.rowid = g.last_row" CONVERSATION_CONTACT
                         " ORDER BY m.received_at DESC, m.rowid DESC",
                         conversation_from_row);
}

static void
list_recent_conversations_func (XiStore  *self,
                                GTask    *task,
                                gpointer  data)
{
  /* The newest @limit are chosen before the contact and the opt-out are
   * looked up, so those cost @limit lookups, not one per conversation. */
  _xi_store_return_rows_limit (self, task,
                               "SELECT g.phone, c.id, c.name, g.text, g.received_at, g.unread, g.n,"
                               " " SUPPRESSED ("g.phone") " OR coalesce (c.opted_out, 0)"
                               " FROM (SELECT g.*, m.text, m.received_at FROM (" CONVERSATION_GROUPS ") g"
                               "  JOIN incoming_messages m ON m.rowid = g.last_row"
                               "  ORDER BY m.received_at DESC, m.rowid DESC LIMIT ?2) g" CONVERSATION_CONTACT
                               " ORDER BY g.received_at DESC, g.last_row DESC",
                               GPOINTER_TO_UINT (data), conversation_from_row);
}

/**
 * xi_store_list_conversations_async:
 * @self: a #XiStore
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Lists the inbox, one #XiConversation per sender, the most recent first.
 */
void
xi_store_list_conversations_async (XiStore             *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  _xi_store_push_read (self, list_conversations_func, NULL, NULL, xi_store_list_conversations_async,
                       cancellable, callback, user_data);
}

/**
 * xi_store_list_conversations_finish:
 *
 * Returns: (transfer full) (element-type XiConversation): the conversations
 */
GPtrArray *
xi_store_list_conversations_finish (XiStore       *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * xi_store_list_recent_conversations_async:
 * @self: a #XiStore
 * @limit: how many, at least 1
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Lists the @limit most recent conversations of the inbox, as the start
 * of xi_store_list_conversations_async() would: a window can show the
 * top of a long inbox before the whole of it is read.
 */
void
xi_store_list_recent_conversations_async (XiStore             *self,
                                          guint                limit,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (limit > 0);
  _xi_store_push_read (self, list_recent_conversations_func, GUINT_TO_POINTER (limit), NULL,
                       xi_store_list_recent_conversations_async, cancellable, callback, user_data);
}

/**
 * xi_store_list_recent_conversations_finish:
 *
 * Returns: (transfer full) (element-type XiConversation): the conversations,
 *   the most recent first
 */
GPtrArray *
xi_store_list_recent_conversations_finish (XiStore       *self,
                                           GAsyncResult  *result,
                                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
list_messages_func (XiStore  *self,
                    GTask    *task,
                    gpointer  data)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  GError *error = NULL;
  sqlite3_stmt *stmt;
  int rc;

  stmt = _xi_store_prepare (self,
                            "SELECT " INCOMING_COLUMNS INCOMING_FROM
                            " WHERE m.master_user_id = ?1 AND " IS_FROM ("m") " AND m.deleted = 0"
                            " ORDER BY m.received_at, m.rowid",
                            &error);
  if (stmt == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  _xi_store_bind_text (stmt, 1, self->master_user_id);
  _xi_store_bind_text (stmt, 2, data);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (items, incoming_from_row (self, stmt));
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      _xi_store_set_error (self, rc, &error);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&items), (GDestroyNotify)g_ptr_array_unref);
}

/**
 * xi_store_list_messages_async:
 * @self: a #XiStore
 * @phone: the sender, as xi_conversation_get_phone() gives it
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Lists the messages of one conversation, oldest first. Does not mark
 * them read: see xi_store_mark_conversation_read_async().
 */
void
xi_store_list_messages_async (XiStore             *self,
                              const char          *phone,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (phone != NULL);

  _xi_store_push_read (self, list_messages_func, address_key (phone), g_free,
                       xi_store_list_messages_async, cancellable, callback, user_data);
}

/**
 * xi_store_list_messages_finish:
 *
 * Returns: (transfer full) (element-type XiIncoming): the messages
 */
GPtrArray *
xi_store_list_messages_finish (XiStore       *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
mark_read_func (XiStore  *self,
                GTask    *task,
                gpointer  data)
{
  GError *error = NULL;
  sqlite3_stmt *stmt;

  stmt = _xi_store_prepare (self,
                            "UPDATE incoming_messages SET is_read = 1, updated_at = ?3,"
                            " version = version + 1, sync_status = 'pending'"
                            " WHERE master_user_id = ?1 AND (?2 IS NULL OR " IS_FROM ("incoming_messages") ")"
                            " AND is_read = 0",
                            &error);
  if (stmt != NULL)
    {
      g_autofree char *now = _xi_store_now ();

      _xi_store_bind_text (stmt, 1, self->master_user_id);
      _xi_store_bind_text (stmt, 2, data);
      _xi_store_bind_text (stmt, 3, now);
      if (_xi_store_step_done (self, stmt, &error))
        {
          g_task_return_int (task, sqlite3_changes (self->db));
          return;
        }
    }
  g_task_return_error (task, error);
}

/**
 * xi_store_mark_conversation_read_async:
 * @self: a #XiStore
 * @phone: (nullable): the sender, or %NULL for every conversation ("Mark
 *   All as Read")
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Marks every message of a conversation, or of all, as seen.
 */
void
xi_store_mark_conversation_read_async (XiStore             *self,
                                       const char          *phone,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));

  _xi_store_push (self, mark_read_func, phone != NULL ? address_key (phone) : NULL, g_free,
                  xi_store_mark_conversation_read_async, cancellable, callback, user_data);
}

/**
 * xi_store_mark_conversation_read_finish:
 *
 * Returns: how many messages were unread before
 */
guint
xi_store_mark_conversation_read_finish (XiStore       *self,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  gssize count;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  count = g_task_propagate_int (G_TASK (result), error);
  return count > 0 ? (guint)count : 0;
}

static void
count_unread_func (XiStore  *self,
                   GTask    *task,
                   gpointer  data)
{
  GError *error = NULL;
  sqlite3_stmt *stmt;

  stmt = _xi_store_prepare (self,
                            "SELECT count (*) FROM incoming_messages"
                            " WHERE master_user_id = ?1 AND is_read = 0 AND deleted = 0",
                            &error);
  if (stmt != NULL)
    {
      int rc;

      _xi_store_bind_text (stmt, 1, self->master_user_id);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          gssize count = sqlite3_column_int64 (stmt, 0);

          sqlite3_reset (stmt);
          g_task_return_int (task, count);
          return;
        }
      _xi_store_set_error (self, rc, &error);
      sqlite3_reset (stmt);
    }
  g_task_return_error (task, error);
}

/**
 * xi_store_count_unread_async:
 * @self: a #XiStore
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Counts the unread messages of the whole inbox, for a badge.
 */
void
xi_store_count_unread_async (XiStore             *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  _xi_store_push_read (self, count_unread_func, NULL, NULL, xi_store_count_unread_async,
                       cancellable, callback, user_data);
}

guint
xi_store_count_unread_finish (XiStore       *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  gssize count;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  count = g_task_propagate_int (G_TASK (result), error);
  return count > 0 ? (guint)count : 0;
}

/* The suppression list */

static gpointer
suppression_from_row (sqlite3_stmt *stmt)
{
  return _xi_suppression_new (column_text (stmt, 0), column_text (stmt, 1), column_text (stmt, 2),
                              column_text (stmt, 3), column_text (stmt, 4), column_text (stmt, 5));
}

static void
list_suppressions_func (XiStore  *self,
                        GTask    *task,
                        gpointer  data)
{
  _xi_store_return_rows (self, task,
                         "SELECT s.phone, c.id, c.name, s.source, s.keyword, s.created_at"
                         " FROM suppression_events s LEFT JOIN contacts c"
                         " ON c.master_user_id = s.master_user_id AND c.phone = s.phone AND c.deleted = 0"
                         " WHERE s.master_user_id = ?1 AND s.deleted = 0 AND s.event = 'opt_out'"
                         " AND NOT EXISTS (SELECT 1 FROM suppression_events t"
                         "  WHERE t.master_user_id = s.master_user_id AND t.phone = s.phone"
                         "  AND t.deleted = 0 AND (t.created_at > s.created_at"
                         "  OR (t.created_at = s.created_at AND t.rowid > s.rowid)))"
                         " ORDER BY s.created_at DESC",
                         suppression_from_row);
}

/**
 * xi_store_list_suppressions_async:
 * @self: a #XiStore
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Lists the numbers no campaign may message (their latest suppression
 * event is an opt-out), the most recent first.
 */
void
xi_store_list_suppressions_async (XiStore             *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  _xi_store_push_read (self, list_suppressions_func, NULL, NULL, xi_store_list_suppressions_async,
                       cancellable, callback, user_data);
}

/**
 * xi_store_list_suppressions_finish:
 *
 * Returns: (transfer full) (element-type XiSuppression): the suppression list
 */
GPtrArray *
xi_store_list_suppressions_finish (XiStore       *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
undo_opt_out_func (XiStore  *self,
                   GTask    *task,
                   gpointer  data)
{
  const char *phone = data;
  g_autofree char *now = _xi_store_now ();
  g_autofree char *latest = NULL;
  g_autofree char *contact_id = NULL;
  g_autofree char *masked = NULL;
  GError *error = NULL;

  if (!_xi_store_begin (self, &error))
    goto failed;

  latest = query_text (self,
                       "SELECT created_at FROM suppression_events s"
                       " WHERE master_user_id = ?1 AND phone = ?2 AND deleted = 0"
                       " AND event = 'opt_out' AND NOT EXISTS (SELECT 1 FROM suppression_events t"
                       "  WHERE t.master_user_id = s.master_user_id AND t.phone = s.phone"
                       "  AND t.deleted = 0 AND t.created_at > s.created_at)",
                       phone, &error);
  if (error != NULL)
    goto failed;
  contact_id = query_text (self,
                           "SELECT id FROM contacts"
                           " WHERE master_user_id = ?1 AND phone = ?2 AND deleted = 0 AND opted_out = 1",
                           phone, &error);
  if (error != NULL)
    goto failed;

  if (latest == NULL && contact_id == NULL)
    {
      _xi_store_rollback (self);
      g_task_return_new_error (task, XI_STORE_ERROR, XI_STORE_ERROR_NOT_FOUND,
                               _("This number is not on the suppression list."));
      return;
    }

  /* The latest event decides, and times have millisecond resolution: the
   * opt-in must come strictly after the opt-out it undoes. */
  while (latest != NULL && strcmp (now, latest) <= 0)
    {
      g_usleep (1000);
      g_free (now);
      now = _xi_store_now ();
    }

  masked = _xi_store_mask_phone (phone);
  if (!_xi_store_set_contact_opted_out (self, contact_id, FALSE, now, &error) ||
      !_xi_store_record_suppression (self, phone, contact_id, FALSE, "manual", NULL, NULL, now, &error) ||
      !_xi_store_log_activity (self, "contact.opted-in", masked, NULL, &error) ||
      !_xi_store_commit (self, &error))
    goto failed;

  g_task_return_boolean (task, TRUE);
  return;

failed:
  _xi_store_rollback (self);
  g_task_return_error (task, error);
}

/**
 * xi_store_undo_opt_out_async:
 * @self: a #XiStore
 * @phone: a number on the suppression list
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Takes a number off the suppression list: the user's deliberate
 * decision (an opt-in event with the source "manual"), which also lets
 * the contact get campaigns again and is written in the activity log.
 * Fails with %XI_STORE_ERROR_NOT_FOUND for a number that is not on it.
 */
void
xi_store_undo_opt_out_async (XiStore             *self,
                             const char          *phone,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (phone != NULL);

  _xi_store_push (self, undo_opt_out_func, address_key (phone), g_free,
                  xi_store_undo_opt_out_async, cancellable, callback, user_data);
}

gboolean
xi_store_undo_opt_out_finish (XiStore       *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Both sides of a conversation */

static gpointer
chat_message_from_row (sqlite3_stmt *stmt)
{
  const char *state = column_text (stmt, 1);
  XiChatState chat_state = XI_CHAT_STATE_RECEIVED;

  if (g_strcmp0 (state, "pending") == 0 || g_strcmp0 (state, "sending") == 0)
    chat_state = XI_CHAT_STATE_PENDING;
  else if (g_strcmp0 (state, "sent") == 0)
    chat_state = XI_CHAT_STATE_SENT;
  else if (g_strcmp0 (state, "delivered") == 0)
    chat_state = XI_CHAT_STATE_DELIVERED;
  else if (g_strcmp0 (state, "read") == 0)
    chat_state = XI_CHAT_STATE_READ;
  else if (g_strcmp0 (state, "failed") == 0)
    chat_state = XI_CHAT_STATE_FAILED;

  return _xi_chat_message_new (sqlite3_column_int (stmt, 0), chat_state, column_text (stmt, 2),
                               column_text (stmt, 3), column_text (stmt, 4), column_text (stmt, 5),
                               column_text (stmt, 6));
}

/* The columns of chat_message_from_row (), then tie-breakers (which table,
 * then the order rows were written) for messages of one millisecond,
 * such as a message and its automatic reply. Campaign
 * rows are found through the partial index job_recipients_phone, hence
 * the repeated "wa_message_id IS NOT NULL" (every sent row has an id). */
#define THREAD_SQL \
  "SELECT 0 AS kind, 'received', m.wa_message_id, m.text, m.received_at AS t, NULL," \
  " (SELECT s.keyword FROM suppression_events s WHERE s.master_user_id = m.master_user_id" \
  "  AND s.message_id = m.wa_message_id AND s.event = 'opt_out' AND s.deleted = 0 LIMIT 1)," \
  " 0 AS src, m.rowid AS r," \
  " EXISTS (SELECT 1 FROM incoming_media im WHERE im.incoming_id = m.id) AS has_media" \
  " FROM incoming_messages m WHERE m.master_user_id = ?1 AND " IS_FROM ("m") " AND m.deleted = 0" \
  " UNION ALL" \
  " SELECT 1, j.state, j.wa_message_id, j.rendered_text, j.sent_at, b.name, NULL, 1, j.rowid, 0" \
  " FROM job_recipients j LEFT JOIN jobs b ON b.id = j.job_id" \
  " WHERE j.master_user_id = ?1 AND j.phone = ?2 AND j.wa_message_id IS NOT NULL" \
  " AND j.sent_at IS NOT NULL AND j.deleted = 0" \
  " UNION ALL" \
  " SELECT CASE o.kind WHEN 'reply' THEN 2 ELSE 3 END, o.state, o.wa_message_id, o.text," \
  " o.created_at, o.rule_name, NULL, 2, o.rowid, 0" \
  " FROM outgoing_messages o WHERE o.master_user_id = ?1 AND o.phone = ?2 AND o.deleted = 0"

typedef struct
{
  char  *phone;
  guint  limit;
} ThreadOp;

static void
thread_op_free (ThreadOp *op)
{
  g_free (op->phone);
  g_free (op);
}

static void
list_thread_func (XiStore  *self,
                  GTask    *task,
                  gpointer  data)
{
  ThreadOp *op = data;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) with_media = g_ptr_array_new ();
  GError *error = NULL;
  sqlite3_stmt *stmt;
  int rc;

  /* The newest @limit, read newest first and turned around: a long
   * conversation opens at its end without reading its beginning. */
  stmt = _xi_store_prepare (self,
                            "SELECT * FROM (" THREAD_SQL ") ORDER BY t DESC, src DESC, r DESC"
                            " LIMIT ?3",
                            &error);
  if (stmt == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  _xi_store_bind_text (stmt, 1, self->master_user_id);
  _xi_store_bind_text (stmt, 2, op->phone);
  sqlite3_bind_int64 (stmt, 3, op->limit > 0 ? (gint64)op->limit : -1);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_ptr_array_add (items, chat_message_from_row (stmt));
      if (sqlite3_column_int (stmt, 9) != 0)
        g_ptr_array_add (with_media, g_ptr_array_index (items, items->len - 1));
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      _xi_store_set_error (self, rc, &error);
      g_task_return_error (task, error);
      return;
    }
  /* Files are few in a conversation: each is read whole, as the Inbox
   * needs it to show, fetch and save the file. */
  for (guint i = 0; i < with_media->len; i++)
    {
      XiChatMessage *message = g_ptr_array_index (with_media, i);
      g_autoptr(XiIncoming) incoming = _xi_store_load_incoming (self, xi_chat_message_get_message_id (message),
                                                                &error);

      if (incoming == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      _xi_chat_message_set_incoming (message, incoming);
    }
  for (guint i = 0, j = items->len; i + 1 < j; i++, j--)
    {
      gpointer swap = items->pdata[i];

      items->pdata[i] = items->pdata[j - 1];
      items->pdata[j - 1] = swap;
    }
  g_task_return_pointer (task, g_steal_pointer (&items), (GDestroyNotify)g_ptr_array_unref);
}

/**
 * xi_store_list_thread_async:
 * @self: a #XiStore
 * @phone: the customer's number
 * @limit: at most this many of the newest messages, or 0 for all
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Lists both sides of a conversation, oldest first: the customer's
 * messages, the campaign messages sent to the number, the replies sent by
 * hand and the automatic replies, each with its receipts.
 */
void
xi_store_list_thread_async (XiStore             *self,
                            const char          *phone,
                            guint                limit,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  ThreadOp *op;

  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (phone != NULL);

  op = g_new0 (ThreadOp, 1);
  op->phone = address_key (phone);
  op->limit = limit;
  _xi_store_push_read (self, list_thread_func, op, (GDestroyNotify)thread_op_free,
                       xi_store_list_thread_async, cancellable, callback, user_data);
}

/**
 * xi_store_list_thread_finish:
 *
 * Returns: (transfer full) (element-type XiChatMessage): the messages
 */
GPtrArray *
xi_store_list_thread_finish (XiStore       *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Messages sent by hand */

typedef struct
{
  char *phone;
  char *message_id;
  char *text;
  char *reply_to;
  char *error_text;
} OutgoingOp;

static void
outgoing_op_free (OutgoingOp *op)
{
  g_free (op->phone);
  g_free (op->message_id);
  g_free (op->text);
  g_free (op->reply_to);
  g_free (op->error_text);
  g_free (op);
}

static XiChatMessage *
load_outgoing (XiStore     *self,
               const char  *message_id,
               GError     **error)
{
  return _xi_store_query_one (self,
                              "SELECT CASE kind WHEN 'reply' THEN 2 ELSE 3 END, state, wa_message_id,"
                              " text, created_at, rule_name, NULL FROM outgoing_messages"
                              " WHERE master_user_id = ?1 AND wa_message_id = ?2",
                              message_id, chat_message_from_row,
                              _("The message is not in the conversation."), error);
}

/* A number that opted out may be answered only in reply to a message of
 * its own: they wrote to us after saying stop, or asked something with
 * the stop itself, and a business must be able to answer that. */
static gboolean
check_reply_allowed (XiStore     *self,
                     OutgoingOp  *op,
                     GError     **error)
{
  g_autofree char *suppressed = NULL;
  g_autofree char *replied = NULL;
  GError *local_error = NULL;

  /* Messages go to numbers only: a LID's digits would reach a stranger,
   * and the server takes no reply without a number. */
  if (xi_phone_is_lid (op->phone))
    {
      g_set_error_literal (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID,
                           _("WhatsApp hides this customer’s number, so they cannot be answered from here "
                             "until it is known."));
      return FALSE;
    }

  suppressed = query_text (self,
                           "SELECT 1 WHERE " SUPPRESSED ("?2") " OR EXISTS (SELECT 1 FROM contacts"
                           " WHERE master_user_id = ?1 AND phone = ?2 AND deleted = 0 AND opted_out = 1)",
                           op->phone, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }

  if (op->reply_to != NULL)
    {
      sqlite3_stmt *stmt = _xi_store_prepare (self,
                                              "SELECT 1 FROM incoming_messages WHERE master_user_id = ?1"
                                              " AND wa_message_id = ?2 AND phone = ?3 AND deleted = 0",
                                              error);
      int rc;

      if (stmt == NULL)
        return FALSE;
      _xi_store_bind_text (stmt, 1, self->master_user_id);
      _xi_store_bind_text (stmt, 2, op->reply_to);
      _xi_store_bind_text (stmt, 3, op->phone);
      rc = sqlite3_step (stmt);
      sqlite3_reset (stmt);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        {
          _xi_store_set_error (self, rc, error);
          return FALSE;
        }
      if (rc == SQLITE_ROW)
        replied = g_strdup (op->reply_to);
      else
        {
          g_set_error_literal (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID,
                               _("The message this answers is not one of this customer’s."));
          return FALSE;
        }
    }

  if (suppressed != NULL && replied == NULL)
    {
      g_set_error_literal (error, XI_STORE_ERROR, XI_STORE_ERROR_OPTED_OUT,
                           _("This customer opted out of your messages. You can only answer a message "
                             "they sent you: reply to it."));
      return FALSE;
    }
  return TRUE;
}

static void
add_reply_func (XiStore  *self,
                GTask    *task,
                gpointer  data)
{
  OutgoingOp *op = data;
  g_autofree char *now = _xi_store_now ();
  g_autofree char *id = _xi_store_new_id ();
  g_autofree char *contact_id = NULL;
  XiChatMessage *message;
  GError *error = NULL;
  sqlite3_stmt *stmt;

  if (!_xi_store_begin (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (!check_reply_allowed (self, op, &error))
    goto failed;
  contact_id = query_text (self,
                           "SELECT id FROM contacts WHERE master_user_id = ?1 AND phone = ?2 AND deleted = 0",
                           op->phone, &error);
  if (error != NULL)
    goto failed;

  stmt = _xi_store_prepare (self,
                            "INSERT INTO outgoing_messages (id, master_user_id, created_at, updated_at,"
                            " wa_message_id, phone, contact_id, kind, text, reply_to)"
                            " VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6, 'reply', ?7, ?8)",
                            &error);
  if (stmt == NULL)
    goto failed;
  _xi_store_bind_text (stmt, 1, id);
  _xi_store_bind_text (stmt, 2, self->master_user_id);
  _xi_store_bind_text (stmt, 3, now);
  _xi_store_bind_text (stmt, 4, op->message_id);
  _xi_store_bind_text (stmt, 5, op->phone);
  _xi_store_bind_text (stmt, 6, contact_id);
  _xi_store_bind_text (stmt, 7, op->text);
  _xi_store_bind_text (stmt, 8, op->reply_to);
  if (!_xi_store_step_done (self, stmt, &error) || !_xi_store_commit (self, &error))
    goto failed;

  message = load_outgoing (self, op->message_id, &error);
  if (message == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, message, g_object_unref);
  return;

failed:
  _xi_store_rollback (self);
  g_task_return_error (task, error);
}

/**
 * xi_store_add_reply_async:
 * @self: a #XiStore
 * @phone: the customer's number
 * @message_id: the WhatsApp message id it will be sent under
 * @text: the message
 * @reply_to: (nullable): the id of the customer's message it answers
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Writes a message about to be sent by hand, pending, before it is sent:
 * it shows in the conversation at once and its receipts find it. A number
 * that opted out can be written to only in reply to one of its own
 * messages (%XI_STORE_ERROR_OPTED_OUT otherwise); a @reply_to that is not
 * the customer's fails with %XI_STORE_ERROR_INVALID.
 */
void
xi_store_add_reply_async (XiStore             *self,
                          const char          *phone,
                          const char          *message_id,
                          const char          *text,
                          const char          *reply_to,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  OutgoingOp *op;

  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (phone != NULL);
  g_return_if_fail (message_id != NULL);
  g_return_if_fail (text != NULL);

  op = g_new0 (OutgoingOp, 1);
  op->phone = address_key (phone);
  op->message_id = g_strdup (message_id);
  op->text = g_strdup (text);
  op->reply_to = g_strdup (reply_to);
  _xi_store_push (self, add_reply_func, op, (GDestroyNotify)outgoing_op_free,
                  xi_store_add_reply_async, cancellable, callback, user_data);
}

/**
 * xi_store_add_reply_finish:
 *
 * Returns: (transfer full): the pending message
 */
XiChatMessage *
xi_store_add_reply_finish (XiStore       *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
finish_reply_func (XiStore  *self,
                   GTask    *task,
                   gpointer  data)
{
  OutgoingOp *op = data;
  g_autofree char *now = _xi_store_now ();
  GError *error = NULL;
  sqlite3_stmt *stmt;

  /* A receipt can come before the server's ack is handled: never move a
   * message back. */
  stmt = _xi_store_prepare (self,
                            "UPDATE outgoing_messages SET"
                            " state = CASE WHEN ?3 IS NULL THEN"
                            "  CASE WHEN state = 'pending' OR state = 'failed' THEN 'sent' ELSE state END"
                            "  ELSE 'failed' END,"
                            " sent_at = CASE WHEN ?3 IS NULL THEN coalesce (sent_at, ?4) ELSE sent_at END,"
                            " last_error = ?3, updated_at = ?4, version = version + 1"
                            " WHERE master_user_id = ?1 AND wa_message_id = ?2",
                            &error);
  if (stmt == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  _xi_store_bind_text (stmt, 1, self->master_user_id);
  _xi_store_bind_text (stmt, 2, op->message_id);
  _xi_store_bind_text (stmt, 3, op->error_text);
  _xi_store_bind_text (stmt, 4, now);
  if (!_xi_store_step_done (self, stmt, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (sqlite3_changes (self->db) == 0)
    {
      g_task_return_new_error (task, XI_STORE_ERROR, XI_STORE_ERROR_NOT_FOUND,
                               _("The message is not in the conversation."));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/**
 * xi_store_finish_reply_async:
 * @self: a #XiStore
 * @message_id: the id given to xi_store_add_reply_async()
 * @error_text: (nullable): why it could not be sent, or %NULL when
 *   WhatsApp's server took it
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure
 *
 * Records how sending a message written by hand ended.
 */
void
xi_store_finish_reply_async (XiStore             *self,
                             const char          *message_id,
                             const char          *error_text,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  OutgoingOp *op;

  g_return_if_fail (XI_IS_STORE (self));
  g_return_if_fail (message_id != NULL);

  op = g_new0 (OutgoingOp, 1);
  op->message_id = g_strdup (message_id);
  op->error_text = g_strdup (error_text);
  _xi_store_push (self, finish_reply_func, op, (GDestroyNotify)outgoing_op_free,
                  xi_store_finish_reply_async, cancellable, callback, user_data);
}

gboolean
xi_store_finish_reply_finish (XiStore       *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
