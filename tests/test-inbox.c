/* test-inbox.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/*
 * Opt-out matching, auto-reply rule matching and the store's inbox, on a
 * real SQLite file.
 */

#include "config.h"

#include <sqlite3.h>
#include <string.h>

#include "xi-limits.h"
#include "xi-opt-out.h"
#include "xi-store-private.h"
#include "xi-test-utils.h"

typedef struct
{
  char    *dir;
  char    *path;
  XiStore *store;
} Fixture;

#define WAIT(call, finish) \
  G_STMT_START { \
    GAsyncResult *slot_ = NULL; \
    g_autoptr(GAsyncResult) result_ = NULL; \
    call; \
    result_ = xi_test_wait_result (&slot_); \
    finish; \
  } G_STMT_END

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;

  f->dir = xi_test_make_tmpdir ();
  f->path = g_build_filename (f->dir, "store.db", NULL);
  f->store = xi_store_new (f->path);
  WAIT (xi_store_open_async (f->store, NULL, xi_test_store_result_cb, &slot_),
        ok = xi_store_open_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (ok);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  xi_store_close (f->store);
  g_assert_finalize_object (f->store);
  xi_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

static XiContact *
add_contact (Fixture    *f,
             const char *name,
             const char *phone)
{
  g_autoptr(XiContact) contact = xi_contact_new ();
  g_autoptr(GError) error = NULL;
  XiContact *saved = NULL;

  xi_contact_set_name (contact, name);
  xi_contact_set_phone (contact, phone);
  WAIT (xi_store_save_contact_async (f->store, contact, NULL, xi_test_store_result_cb, &slot_),
        saved = xi_store_save_contact_finish (f->store, result_, &error));
  g_assert_no_error (error);
  return saved;
}

static XiIncoming *
record (Fixture    *f,
        const char *phone,
        const char *id,
        const char *text,
        gboolean   *duplicate)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *keyword = xi_opt_out_match (text, NULL);
  XiIncoming *incoming = NULL;

  WAIT (xi_store_record_incoming_async (f->store, phone, NULL, id, text, keyword, NULL,
                                        xi_test_store_result_cb, &slot_),
        incoming = xi_store_record_incoming_finish (f->store, result_, duplicate, &error));
  g_assert_no_error (error);
  g_assert_nonnull (incoming);
  return incoming;
}

static GPtrArray *
conversations (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *list = NULL;

  WAIT (xi_store_list_conversations_async (f->store, NULL, xi_test_store_result_cb, &slot_),
        list = xi_store_list_conversations_finish (f->store, result_, &error));
  g_assert_no_error (error);
  return list;
}

static GPtrArray *
recent_conversations (Fixture *f,
                      guint    limit)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *list = NULL;

  WAIT (xi_store_list_recent_conversations_async (f->store, limit, NULL, xi_test_store_result_cb, &slot_),
        list = xi_store_list_recent_conversations_finish (f->store, result_, &error));
  g_assert_no_error (error);
  return list;
}

static guint
unread (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  guint n = 0;

  WAIT (xi_store_count_unread_async (f->store, NULL, xi_test_store_result_cb, &slot_),
        n = xi_store_count_unread_finish (f->store, result_, &error));
  g_assert_no_error (error);
  return n;
}

static GPtrArray *
suppressions (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *list = NULL;

  WAIT (xi_store_list_suppressions_async (f->store, NULL, xi_test_store_result_cb, &slot_),
        list = xi_store_list_suppressions_finish (f->store, result_, &error));
  g_assert_no_error (error);
  return list;
}

static int
count_rows (Fixture    *f,
            const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int n;

  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

/* Matching */

static void
test_opt_out_match (void)
{
  static const struct {
    const char *text;
    const char *keyword;
  } cases[] = {
    { "STOP", "STOP" },
    { "stop", "STOP" },
    { "Stop.", "STOP" },
    { " STOP!! ", "STOP" },
    { "stop promo", "STOP PROMO" },
    { "Stop   Promo!", "STOP PROMO" },
    { "berhenti 🙏", "BERHENTI" },
    { "🛑 Unsubscribe", "UNSUBSCRIBE" },
    { "unsub\n", "UNSUB" },
    { "\"STOP\"", "STOP" },
    { "please stop sending me this", NULL },
    { "stop it now", NULL },
    { "don't stop the promo", NULL },
    { "stopp", NULL },
    { "nonstop", NULL },
    { "stop-promo", NULL },
    { "", NULL },
    { "!!!", NULL },
    { "Terima kasih", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *keyword = xi_opt_out_match (cases[i].text, NULL);

      g_test_message ("“%s”", cases[i].text);
      g_assert_cmpstr (keyword, ==, cases[i].keyword);
    }
}

/* A message of nothing but combining marks, or of a quarter of a million
 * letters each with its accent written apart, is matched in moments (GLib
 * alone took 15 s for the first, several for the second, for each
 * keyword), and what people write still matches. */
static void
test_opt_out_hostile_marks (void)
{
  g_autoptr(GString) marks = g_string_new ("berapa harga ");
  g_autoptr(GString) accents = g_string_new ("STOP ");
  g_autofree char *keyword = NULL;
  g_autofree char *normal = NULL;
  gint64 start;

  for (guint i = 0; i < 65536; i++)
    g_string_append (marks, "\xcc\x81\xcc\x96");
  for (guint i = 0; i < 262144; i++)
    g_string_append (accents, "e\xcc\x81");

  start = g_get_monotonic_time ();
  g_assert_true (xi_text_contains_phrase (marks->str, "harga"));
  g_assert_false (xi_text_contains_phrase (marks->str, "stok"));
  keyword = xi_opt_out_match (marks->str, NULL);
  g_assert_null (keyword);
  normal = xi_opt_out_normalize (accents->str);
  g_assert_true (g_str_has_prefix (normal, "stop \xc3\xa9\xc3\xa9"));
  g_assert_cmpuint (strlen (normal), ==, strlen ("stop ") + 2 * 262144);
  g_test_message ("hostile texts matched in %.0f ms", (g_get_monotonic_time () - start) / 1000.0);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);

  /* Accents written apart still compose, across the pieces too. */
  g_clear_pointer (&normal, g_free);
  normal = xi_opt_out_normalize ("Cafe\xcc\x81 BERHENTI");
  g_assert_cmpstr (normal, ==, "caf\xc3\xa9 berhenti");
}

static void
test_opt_out_custom_keywords (void)
{
  const char *keywords[] = { "Jangan kirim lagi", "STOP", NULL };
  g_autofree char *a = xi_opt_out_match ("jangan kirim lagi!", keywords);
  g_autofree char *b = xi_opt_out_match ("berhenti", keywords);

  g_assert_cmpstr (a, ==, "Jangan kirim lagi");
  g_assert_null (b);
}

static void
test_rule_matching (void)
{
  g_autoptr(XiAutoReplyRule) rule = xi_auto_reply_rule_new ("Harga");
  g_autoptr(XiAutoReplyRule) any = xi_auto_reply_rule_new ("Semua");
  const char *keywords[] = { "harga", "price list", NULL };
  g_autoptr(GDateTime) morning = g_date_time_new_local (2026, 11, 25, 8, 0, 0);
  g_autoptr(GDateTime) evening = g_date_time_new_local (2026, 11, 25, 17, 0, 0);
  g_autoptr(GDateTime) night = g_date_time_new_local (2026, 11, 25, 23, 30, 0);

  xi_auto_reply_rule_set_keywords (rule, keywords);
  g_assert_true (xi_auto_reply_rule_matches (rule, "Berapa harga?"));
  g_assert_true (xi_auto_reply_rule_matches (rule, "HARGA!!"));
  g_assert_true (xi_auto_reply_rule_matches (rule, "send the Price  List please"));
  g_assert_false (xi_auto_reply_rule_matches (rule, "terima kasih, saya menghargai"));
  g_assert_false (xi_auto_reply_rule_matches (rule, "pricelist"));
  g_assert_false (xi_auto_reply_rule_matches (rule, ""));

  xi_auto_reply_rule_set_trigger (any, XI_AUTO_REPLY_TRIGGER_ANY);
  g_assert_true (xi_auto_reply_rule_matches (any, "halo"));

  /* No hours: always open. 08–17: 08:00 up to 16:59. 22–06 spans midnight. */
  g_assert_true (xi_auto_reply_rule_is_open_at (rule, night));
  xi_auto_reply_rule_set_hours (rule, 8, 17);
  g_assert_true (xi_auto_reply_rule_is_open_at (rule, morning));
  g_assert_false (xi_auto_reply_rule_is_open_at (rule, evening));
  g_assert_false (xi_auto_reply_rule_is_open_at (rule, night));
  xi_auto_reply_rule_set_hours (rule, 22, 6);
  g_assert_true (xi_auto_reply_rule_is_open_at (rule, night));
  g_assert_false (xi_auto_reply_rule_is_open_at (rule, morning));
}

/* The store */

static void
test_record_and_list (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(XiContact) siti = add_contact (f, "Siti", "6281234567890");
  g_autoptr(XiIncoming) first = NULL;
  g_autoptr(XiIncoming) again = NULL;
  g_autoptr(XiIncoming) second = NULL;
  g_autoptr(XiIncoming) stranger = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GError) error = NULL;
  gboolean duplicate = TRUE;
  guint marked = 0;
  XiConversation *top;

  first = record (f, "+6281234567890", "M1", "Halo, berapa harganya?", &duplicate);
  g_assert_false (duplicate);
  g_assert_cmpstr (xi_incoming_get_phone (first), ==, "6281234567890");
  g_assert_cmpstr (xi_incoming_get_contact_id (first), ==, xi_contact_get_id (siti));
  g_assert_cmpstr (xi_incoming_get_contact_name (first), ==, "Siti");
  g_assert_cmpstr (xi_incoming_get_text (first), ==, "Halo, berapa harganya?");
  g_assert_null (xi_incoming_get_opt_out_keyword (first));
  g_assert_false (xi_incoming_get_is_read (first));

  /* WhatsApp delivers again what it did not see confirmed. */
  again = record (f, "+6281234567890", "M1", "Halo, berapa harganya?", &duplicate);
  g_assert_true (duplicate);
  g_assert_cmpstr (xi_incoming_get_id (again), ==, xi_incoming_get_id (first));
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM incoming_messages"), ==, 1);

  g_usleep (2000);
  second = record (f, "6281234567890", "M2", "Ada warna merah?", NULL);
  g_usleep (2000);
  stranger = record (f, "+6285700001111", "M3", "Siapa ini?", NULL);
  g_assert_null (xi_incoming_get_contact_id (stranger));

  list = conversations (f);
  g_assert_cmpuint (list->len, ==, 2);
  top = g_ptr_array_index (list, 0);
  g_assert_cmpstr (xi_conversation_get_phone (top), ==, "6285700001111");
  g_assert_null (xi_conversation_get_contact_name (top));
  top = g_ptr_array_index (list, 1);
  g_assert_cmpstr (xi_conversation_get_phone (top), ==, "6281234567890");
  g_assert_cmpstr (xi_conversation_get_contact_name (top), ==, "Siti");
  g_assert_cmpstr (xi_conversation_get_last_text (top), ==, "Ada warna merah?");
  g_assert_cmpuint (xi_conversation_get_unread_count (top), ==, 2);
  g_assert_cmpuint (xi_conversation_get_message_count (top), ==, 2);
  g_assert_false (xi_conversation_get_opted_out (top));
  g_assert_cmpuint (unread (f), ==, 3);

  WAIT (xi_store_list_messages_async (f->store, "+6281234567890", NULL, xi_test_store_result_cb, &slot_),
        messages = xi_store_list_messages_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (messages->len, ==, 2);
  g_assert_cmpstr (xi_incoming_get_message_id (g_ptr_array_index (messages, 0)), ==, "M1");
  g_assert_cmpstr (xi_incoming_get_message_id (g_ptr_array_index (messages, 1)), ==, "M2");

  WAIT (xi_store_mark_conversation_read_async (f->store, "6281234567890", NULL,
                                               xi_test_store_result_cb, &slot_),
        marked = xi_store_mark_conversation_read_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (marked, ==, 2);
  g_assert_cmpuint (unread (f), ==, 1);
}

static void
plan_skips (Fixture  *f,
            guint    *opted_out,
            guint    *eligible)
{
  static guint plans;
  g_autofree char *name = g_strdup_printf ("Promo %u", ++plans);
  g_autoptr(XiTemplate) template_ = xi_template_new (name);
  g_autoptr(XiTemplate) saved_template = NULL;
  g_autoptr(GPtrArray) contacts = NULL;
  g_autoptr(XiJobSpec) spec = xi_job_spec_new ();
  g_autoptr(XiJobPlan) plan = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  const char *variants[] = { "Halo {name}", NULL };

  WAIT (xi_store_list_contacts_async (f->store, NULL, xi_test_store_result_cb, &slot_),
        contacts = xi_store_list_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < contacts->len; i++)
    g_ptr_array_add (ids, (gpointer)xi_contact_get_id (g_ptr_array_index (contacts, i)));
  g_ptr_array_add (ids, NULL);

  xi_template_set_variants (template_, variants);
  WAIT (xi_store_save_template_async (f->store, template_, NULL, xi_test_store_result_cb, &slot_),
        saved_template = xi_store_save_template_finish (f->store, result_, &error));
  g_assert_no_error (error);

  spec->contact_ids = g_strdupv ((char **)ids->pdata);
  spec->template_id = g_strdup (xi_template_get_id (saved_template));
  WAIT (xi_store_plan_job_async (f->store, spec, 0, NULL, xi_test_store_result_cb, &slot_),
        plan = xi_store_plan_job_finish (f->store, result_, &error));
  g_assert_no_error (error);
  *opted_out = plan->skipped[XI_SKIP_REASON_OPTED_OUT];
  *eligible = plan->eligible;
}

static void
test_opt_out_and_undo (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(XiContact) siti = add_contact (f, "Siti", "6281234567890");
  g_autoptr(XiContact) budi = add_contact (f, "Budi", "6281200002222");
  g_autoptr(XiIncoming) stop = NULL;
  g_autoptr(XiIncoming) again = NULL;
  g_autoptr(XiIncoming) chat = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) convs = NULL;
  g_autoptr(GPtrArray) contacts = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE, duplicate = FALSE;
  guint opted_out = 0, eligible = 0;
  XiSuppression *entry;

  /* "stop" in a sentence is a message, not an opt-out. */
  chat = record (f, "+6281200002222", "C1", "Jangan stop promonya ya", NULL);
  g_assert_null (xi_incoming_get_opt_out_keyword (chat));

  stop = record (f, "+6281234567890", "S1", " Stop!! ", &duplicate);
  g_assert_cmpstr (xi_incoming_get_opt_out_keyword (stop), ==, "STOP");

  /* Everything went in the same transaction as the message. */
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM contacts WHERE opted_out = 1"), ==, 1);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM suppression_events WHERE event = 'opt_out'"
                               " AND source = 'reply' AND keyword = 'STOP' AND message_id = 'S1'"
                               " AND phone = '6281234567890'"), ==, 1);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM history WHERE kind = 'reply.opted-out'"
                               " AND summary LIKE '%+62 812-****-7890%'"
                               " AND summary NOT LIKE '%3456%'"), ==, 1);

  /* The same message again changes nothing. */
  again = record (f, "+6281234567890", "S1", " Stop!! ", &duplicate);
  g_assert_true (duplicate);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM suppression_events"), ==, 1);

  list = suppressions (f);
  g_assert_cmpuint (list->len, ==, 1);
  entry = g_ptr_array_index (list, 0);
  g_assert_cmpstr (xi_suppression_get_phone (entry), ==, "6281234567890");
  g_assert_cmpstr (xi_suppression_get_contact_name (entry), ==, "Siti");
  g_assert_cmpstr (xi_suppression_get_source (entry), ==, "reply");
  g_assert_cmpstr (xi_suppression_get_keyword (entry), ==, "STOP");

  convs = conversations (f);
  g_assert_true (xi_conversation_get_opted_out (g_ptr_array_index (convs, 0)));

  /* The next campaign skips the number. */
  plan_skips (f, &opted_out, &eligible);
  g_assert_cmpuint (opted_out, ==, 1);
  g_assert_cmpuint (eligible, ==, 1);

  /* Undo is deliberate, and logged. */
  WAIT (xi_store_undo_opt_out_async (f->store, "+6281234567890", NULL, xi_test_store_result_cb, &slot_),
        ok = xi_store_undo_opt_out_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM suppression_events WHERE event = 'opt_in'"
                               " AND source = 'manual'"), ==, 1);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM contacts WHERE opted_out = 1"), ==, 0);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM history WHERE kind = 'contact.opted-in'"), ==, 1);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = suppressions (f);
  g_assert_cmpuint (list->len, ==, 0);
  plan_skips (f, &opted_out, &eligible);
  g_assert_cmpuint (opted_out, ==, 0);
  g_assert_cmpuint (eligible, ==, 2);

  /* A number that is not suppressed cannot be undone. */
  WAIT (xi_store_undo_opt_out_async (f->store, "6281200002222", NULL, xi_test_store_result_cb, &slot_),
        ok = xi_store_undo_opt_out_finish (f->store, result_, &error));
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_NOT_FOUND);
  g_assert_false (ok);
  (void)siti;
  (void)budi;
  (void)contacts;
}

static void
test_opt_out_without_contact (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(XiIncoming) stop = record (f, "+6289900001234", "X1", "UNSUBSCRIBE", NULL);
  g_autoptr(XiContact) later = NULL;
  g_autoptr(GPtrArray) list = NULL;
  guint opted_out = 0, eligible = 0;

  g_assert_cmpstr (xi_incoming_get_opt_out_keyword (stop), ==, "UNSUBSCRIBE");
  list = suppressions (f);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_null (xi_suppression_get_contact_id (g_ptr_array_index (list, 0)));

  /* Imported afterwards, the number is still skipped. */
  later = add_contact (f, "Dewi", "6289900001234");
  plan_skips (f, &opted_out, &eligible);
  g_assert_cmpuint (opted_out, ==, 1);
  g_assert_cmpuint (eligible, ==, 0);
}

static XiAutoReplyRule *
save_rule (Fixture          *f,
           XiAutoReplyRule  *rule,
           GError          **error)
{
  XiAutoReplyRule *saved = NULL;

  WAIT (xi_store_save_auto_reply_rule_async (f->store, rule, NULL, xi_test_store_result_cb, &slot_),
        saved = xi_store_save_auto_reply_rule_finish (f->store, result_, error));
  return saved;
}

static void
test_rules_crud (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(XiAutoReplyRule) harga = xi_auto_reply_rule_new ("Harga");
  g_autoptr(XiAutoReplyRule) saved = NULL;
  g_autoptr(XiAutoReplyRule) any = xi_auto_reply_rule_new ("Salam");
  g_autoptr(XiAutoReplyRule) any_saved = NULL;
  g_autoptr(XiAutoReplyRule) clash = xi_auto_reply_rule_new ("harga");
  g_autoptr(XiAutoReplyRule) bad = NULL;
  g_autoptr(GPtrArray) rules = NULL;
  g_autoptr(GError) error = NULL;
  const char *keywords[] = { "harga", "price", NULL };
  gboolean ok = FALSE;
  guint start = 0, end = 0;

  /* A keyword rule needs keywords. */
  xi_auto_reply_rule_set_reply_text (harga, "Harga kami: …");
  bad = save_rule (f, harga, &error);
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID);
  g_clear_error (&error);

  xi_auto_reply_rule_set_keywords (harga, keywords);
  xi_auto_reply_rule_set_hours (harga, 8, 17);
  xi_auto_reply_rule_set_cooldown_seconds (harga, 3600);
  xi_auto_reply_rule_set_priority (harga, 1);
  saved = save_rule (f, harga, &error);
  g_assert_no_error (error);
  g_assert_nonnull (xi_auto_reply_rule_get_id (saved));
  g_assert_cmpstrv (xi_auto_reply_rule_get_keywords (saved), keywords);
  g_assert_true (xi_auto_reply_rule_get_hours (saved, &start, &end));
  g_assert_cmpuint (start, ==, 8);
  g_assert_cmpuint (end, ==, 17);
  g_assert_cmpuint (xi_auto_reply_rule_get_cooldown_seconds (saved), ==, 3600);

  xi_auto_reply_rule_set_trigger (any, XI_AUTO_REPLY_TRIGGER_ANY);
  xi_auto_reply_rule_set_reply_text (any, "Terima kasih, kami segera membalas.");
  any_saved = save_rule (f, any, &error);
  g_assert_no_error (error);
  g_assert_false (xi_auto_reply_rule_get_hours (any_saved, NULL, NULL));
  g_assert_cmpuint (xi_auto_reply_rule_get_cooldown_seconds (any_saved), ==,
                    XI_AUTO_REPLY_DEFAULT_COOLDOWN);

  xi_auto_reply_rule_set_trigger (clash, XI_AUTO_REPLY_TRIGGER_ANY);
  xi_auto_reply_rule_set_reply_text (clash, "x");
  g_clear_object (&bad);
  bad = save_rule (f, clash, &error);
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_DUPLICATE);
  g_clear_error (&error);

  /* Disable one: an update of the stored copy. */
  xi_auto_reply_rule_set_enabled (any_saved, FALSE);
  g_clear_object (&bad);
  bad = save_rule (f, any_saved, &error);
  g_assert_no_error (error);

  WAIT (xi_store_list_auto_reply_rules_async (f->store, NULL, xi_test_store_result_cb, &slot_),
        rules = xi_store_list_auto_reply_rules_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rules->len, ==, 2);
  g_assert_cmpstr (xi_auto_reply_rule_get_name (g_ptr_array_index (rules, 0)), ==, "Harga");
  g_assert_cmpstr (xi_auto_reply_rule_get_name (g_ptr_array_index (rules, 1)), ==, "Salam");
  g_assert_false (xi_auto_reply_rule_get_enabled (g_ptr_array_index (rules, 1)));

  WAIT (xi_store_delete_auto_reply_rule_async (f->store, xi_auto_reply_rule_get_id (saved), NULL,
                                               xi_test_store_result_cb, &slot_),
        ok = xi_store_delete_auto_reply_rule_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (ok);
  g_clear_pointer (&rules, g_ptr_array_unref);
  WAIT (xi_store_list_auto_reply_rules_async (f->store, NULL, xi_test_store_result_cb, &slot_),
        rules = xi_store_list_auto_reply_rules_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rules->len, ==, 1);
}

static void
test_auto_reply_log (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(XiAutoReplyRule) rule = xi_auto_reply_rule_new ("Salam");
  g_autoptr(XiAutoReplyRule) saved = NULL;
  g_autoptr(XiIncoming) incoming = record (f, "+6281234567890", "A1", "halo", NULL);
  g_autoptr(GError) error = NULL;
  gint64 last = -1;
  gboolean ok = FALSE;

  xi_auto_reply_rule_set_trigger (rule, XI_AUTO_REPLY_TRIGGER_ANY);
  xi_auto_reply_rule_set_reply_text (rule, "Terima kasih");
  saved = save_rule (f, rule, &error);
  g_assert_no_error (error);

  WAIT (xi_store_last_auto_reply_async (f->store, "6281234567890", 3600, NULL, xi_test_store_result_cb, &slot_),
        last = xi_store_last_auto_reply_finish (f->store, result_, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (last, ==, 0);

  WAIT (xi_store_record_auto_reply_async (f->store, saved, incoming, "3EB0AA", NULL,
                                          xi_test_store_result_cb, &slot_),
        ok = xi_store_record_auto_reply_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (ok);

  WAIT (xi_store_last_auto_reply_async (f->store, "6281234567890", 3600, NULL, xi_test_store_result_cb, &slot_),
        last = xi_store_last_auto_reply_finish (f->store, result_, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ABS (last - g_get_real_time () / G_USEC_PER_SEC), <=, 5);

  /* Another number has its own cooldown; the log has no full number. */
  WAIT (xi_store_last_auto_reply_async (f->store, "6281200002222", 3600, NULL, xi_test_store_result_cb, &slot_),
        last = xi_store_last_auto_reply_finish (f->store, result_, NULL, &error));
  g_assert_cmpint (last, ==, 0);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM history WHERE details LIKE '%6281234567890%'"
                               " OR summary LIKE '%6281234567890%'"), ==, 0);
}

/* Both sides of a conversation */

static GPtrArray *
thread (Fixture    *f,
        const char *phone,
        guint       limit)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *list = NULL;

  WAIT (xi_store_list_thread_async (f->store, phone, limit, NULL, xi_test_store_result_cb, &slot_),
        list = xi_store_list_thread_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_nonnull (list);
  return list;
}

static XiChatMessage *
add_reply (Fixture     *f,
           const char  *phone,
           const char  *id,
           const char  *text,
           const char  *reply_to,
           GError     **error)
{
  XiChatMessage *message = NULL;

  WAIT (xi_store_add_reply_async (f->store, phone, id, text, reply_to, NULL,
                                  xi_test_store_result_cb, &slot_),
        message = xi_store_add_reply_finish (f->store, result_, error));
  return message;
}

static void
finish_reply (Fixture    *f,
              const char *id,
              const char *error_text)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;

  WAIT (xi_store_finish_reply_async (f->store, id, error_text, NULL, xi_test_store_result_cb, &slot_),
        ok = xi_store_finish_reply_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (ok);
}

static void
receipt (Fixture          *f,
         const char       *id,
         XiRecipientState  state)
{
  g_autoptr(GPtrArray) receipts = g_ptr_array_new_with_free_func ((GDestroyNotify)xi_receipt_free);
  g_auto(GStrv) jobs = NULL;
  g_autoptr(GError) error = NULL;
  XiReceipt *r = g_new0 (XiReceipt, 1);

  r->message_id = g_strdup (id);
  r->state = state;
  r->timestamp = g_get_real_time () / G_USEC_PER_SEC;
  g_ptr_array_add (receipts, r);
  WAIT (xi_store_record_receipts_async (f->store, receipts, NULL, xi_test_store_result_cb, &slot_),
        jobs = xi_store_record_receipts_finish (f->store, result_, &error));
  g_assert_no_error (error);
}

static XiChatMessage *
thread_message (GPtrArray  *list,
                const char *id)
{
  for (guint i = 0; i < list->len; i++)
    if (g_strcmp0 (xi_chat_message_get_message_id (g_ptr_array_index (list, i)), id) == 0)
      return g_ptr_array_index (list, i);
  g_assert_not_reached ();
}

static XiChatState
state_of (Fixture    *f,
          const char *id)
{
  g_autoptr(GPtrArray) list = thread (f, "6281234567890", 0);

  return xi_chat_message_get_state (thread_message (list, id));
}

static void
test_thread_both_sides (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(XiContact) contact = add_contact (f, "Budi", "6281234567890");
  g_autoptr(XiAutoReplyRule) rule = xi_auto_reply_rule_new ("Salam");
  g_autoptr(XiAutoReplyRule) saved = NULL;
  g_autoptr(XiIncoming) incoming = NULL;
  g_autoptr(XiChatMessage) reply = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) newest = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;

  /* A campaign message went out first, with its name and a read receipt. */
  xi_test_sqlite_exec (f->path, "INSERT INTO jobs (id, master_user_id, created_at, updated_at, name, state)"
               " SELECT 'j1', master_user_id, '2026-12-01T08:00:00.000Z', '2026-12-01T08:00:00.000Z',"
               " 'Promo Desember', 'completed' FROM contacts LIMIT 1;"
               "INSERT INTO job_recipients (id, master_user_id, created_at, updated_at, job_id, position,"
               " phone, state, wa_message_id, rendered_text, sent_at, delivered_at)"
               " SELECT 'r1', master_user_id, '2026-12-01T08:00:00.000Z', '2026-12-01T08:00:00.000Z', 'j1', 0,"
               " '6281234567890', 'delivered', 'C1', 'Diskon *50%*', '2026-12-01T08:00:01.000Z',"
               " '2026-12-01T08:00:05.000Z' FROM contacts LIMIT 1;"
               "INSERT INTO job_recipients (id, master_user_id, created_at, updated_at, job_id, position,"
               " phone, state) SELECT 'r2', master_user_id, '2026-12-01T08:00:00.000Z',"
               " '2026-12-01T08:00:00.000Z', 'j1', 1, '6281234567890', 'pending' FROM contacts LIMIT 1;");
  receipt (f, "C1", XI_RECIPIENT_STATE_READ);

  incoming = record (f, "+6281234567890", "A1", "Masih ada?", NULL);

  xi_auto_reply_rule_set_trigger (rule, XI_AUTO_REPLY_TRIGGER_ANY);
  xi_auto_reply_rule_set_reply_text (rule, "Terima kasih, kami balas segera");
  saved = save_rule (f, rule, &error);
  g_assert_no_error (error);
  WAIT (xi_store_record_auto_reply_async (f->store, saved, incoming, "AR1", NULL,
                                          xi_test_store_result_cb, &slot_),
        ok = xi_store_record_auto_reply_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (ok);

  reply = add_reply (f, "+6281234567890", "R1", "Ya, _masih_ ada", "A1", &error);
  g_assert_no_error (error);
  g_assert_cmpint (xi_chat_message_get_state (reply), ==, XI_CHAT_STATE_PENDING);
  g_assert_cmpint (xi_chat_message_get_kind (reply), ==, XI_CHAT_KIND_REPLY);

  /* In time order, the pending campaign row (never sent) left out. */
  list = thread (f, "6281234567890", 0);
  g_assert_cmpuint (list->len, ==, 4);
  g_assert_cmpstr (xi_chat_message_get_message_id (g_ptr_array_index (list, 0)), ==, "C1");
  g_assert_cmpint (xi_chat_message_get_kind (g_ptr_array_index (list, 0)), ==, XI_CHAT_KIND_CAMPAIGN);
  g_assert_cmpstr (xi_chat_message_get_source_name (g_ptr_array_index (list, 0)), ==, "Promo Desember");
  g_assert_cmpint (xi_chat_message_get_state (g_ptr_array_index (list, 0)), ==, XI_CHAT_STATE_READ);
  g_assert_cmpstr (xi_chat_message_get_message_id (g_ptr_array_index (list, 1)), ==, "A1");
  g_assert_false (xi_chat_message_is_ours (g_ptr_array_index (list, 1)));
  g_assert_cmpint (xi_chat_message_get_kind (g_ptr_array_index (list, 2)), ==, XI_CHAT_KIND_AUTO_REPLY);
  g_assert_cmpstr (xi_chat_message_get_source_name (g_ptr_array_index (list, 2)), ==, "Salam");
  g_assert_cmpstr (xi_chat_message_get_text (g_ptr_array_index (list, 2)), ==, "Terima kasih, kami balas segera");
  g_assert_cmpstr (xi_chat_message_get_message_id (g_ptr_array_index (list, 3)), ==, "R1");

  /* The newest two only, still oldest first. */
  newest = thread (f, "6281234567890", 2);
  g_assert_cmpuint (newest->len, ==, 2);
  g_assert_cmpstr (xi_chat_message_get_message_id (g_ptr_array_index (newest, 0)), ==, "AR1");
  g_assert_cmpstr (xi_chat_message_get_message_id (g_ptr_array_index (newest, 1)), ==, "R1");

  /* Ticks: a receipt may overtake the server's ack, and nothing moves
   * back; the automatic reply gets its ticks too. */
  receipt (f, "R1", XI_RECIPIENT_STATE_DELIVERED);
  g_assert_cmpint (state_of (f, "R1"), ==, XI_CHAT_STATE_DELIVERED);
  finish_reply (f, "R1", NULL);
  g_assert_cmpint (state_of (f, "R1"), ==, XI_CHAT_STATE_DELIVERED);
  receipt (f, "R1", XI_RECIPIENT_STATE_READ);
  receipt (f, "R1", XI_RECIPIENT_STATE_DELIVERED);
  g_assert_cmpint (state_of (f, "R1"), ==, XI_CHAT_STATE_READ);
  g_assert_cmpint (state_of (f, "AR1"), ==, XI_CHAT_STATE_SENT);
  receipt (f, "AR1", XI_RECIPIENT_STATE_READ);
  g_assert_cmpint (state_of (f, "AR1"), ==, XI_CHAT_STATE_READ);

  /* A failure is kept with its reason; sending it again is a new message. */
  g_clear_object (&reply);
  reply = add_reply (f, "6281234567890", "R2", "Halo?", NULL, &error);
  g_assert_no_error (error);
  finish_reply (f, "R2", "WhatsApp is not connected.");
  g_assert_cmpint (state_of (f, "R2"), ==, XI_CHAT_STATE_FAILED);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM outgoing_messages WHERE wa_message_id = 'R2'"
                                  " AND last_error = 'WhatsApp is not connected.'"), ==, 1);

  /* Another number's conversation does not see any of it. */
  g_clear_pointer (&list, g_ptr_array_unref);
  list = thread (f, "6285700000000", 0);
  g_assert_cmpuint (list->len, ==, 0);
}

/* The rule lives in the store: whatever the UI shows, a number that
 * opted out is written to only in answer to a message of its own. */
static void
test_reply_after_opt_out (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(XiContact) contact = add_contact (f, "Siti", "6285711112222");
  g_autoptr(XiIncoming) stop = record (f, "6285711112222", "S1", "STOP", NULL);
  g_autoptr(XiIncoming) other = record (f, "6281234567890", "O1", "halo", NULL);
  g_autoptr(XiChatMessage) reply = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;

  g_assert_nonnull (xi_incoming_get_opt_out_keyword (stop));

  reply = add_reply (f, "6285711112222", "R1", "Promo baru!", NULL, &error);
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_OPTED_OUT);
  g_assert_null (reply);
  g_clear_error (&error);

  /* Naming somebody else's message does not get around it. */
  reply = add_reply (f, "6285711112222", "R2", "Promo baru!", "O1", &error);
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID);
  g_assert_null (reply);
  g_clear_error (&error);
  reply = add_reply (f, "6285711112222", "R3", "Promo baru!", "NOPE", &error);
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM outgoing_messages"), ==, 0);

  reply = add_reply (f, "+62 857-1111-2222", "R4", "Baik, kami berhenti.", "S1", &error);
  g_assert_no_error (error);
  g_assert_nonnull (reply);
  g_clear_object (&reply);

  /* Once allowed again, a message of our own is fine. */
  WAIT (xi_store_undo_opt_out_async (f->store, "6285711112222", NULL, xi_test_store_result_cb, &slot_),
        ok = xi_store_undo_opt_out_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (ok);
  reply = add_reply (f, "6285711112222", "R5", "Selamat datang kembali", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (reply);
}

/* History's chart: per interval, from the first message to the last
 * receipt, and the replies since. */
static void
test_job_timeline (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(XiContact) contact = add_contact (f, "Budi", "6281234567890");
  g_autoptr(XiJobTimeline) timeline = NULL;
  g_autoptr(XiJobTimeline) empty = NULL;
  g_autoptr(XiJobTimeline) copy = NULL;
  g_autoptr(XiIncoming) reply = NULL;
  g_autoptr(GError) error = NULL;
  guint sent = 0, delivered = 0, read = 0;

  /* 30 messages from 08:00, one every 4 minutes; every other one
   * delivered a minute later, every third read 90 minutes later. */
  xi_test_sqlite_exec (f->path, "INSERT INTO jobs (id, master_user_id, created_at, updated_at, name, state)"
               " SELECT 'j1', master_user_id, '2026-12-01T07:59:00.000Z', '2026-12-01T07:59:00.000Z',"
               " 'Promo', 'completed' FROM contacts LIMIT 1;"
               "WITH RECURSIVE n (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 29)"
               " INSERT INTO job_recipients (id, master_user_id, created_at, updated_at, job_id, position,"
               " phone, state, wa_message_id, sent_at, delivered_at, read_at)"
               " SELECT 'r' || i, (SELECT master_user_id FROM contacts LIMIT 1), '2026-12-01T07:59:00.000Z',"
               " '2026-12-01T07:59:00.000Z', 'j1', i, CASE WHEN i = 29 THEN '6281234567890' ELSE '62800' || i END,"
               " 'sent', 'M' || i,"
               " strftime ('%Y-%m-%dT%H:%M:%fZ', '2026-12-01T08:00:00Z', '+' || (i * 4) || ' minutes'),"
               " CASE WHEN i % 2 = 0 THEN strftime ('%Y-%m-%dT%H:%M:%fZ', '2026-12-01T08:00:00Z',"
               "  '+' || (i * 4 + 1) || ' minutes') END,"
               " CASE WHEN i % 3 = 0 THEN strftime ('%Y-%m-%dT%H:%M:%fZ', '2026-12-01T08:00:00Z',"
               "  '+' || (i * 4 + 90) || ' minutes') END FROM n;"
               "INSERT INTO job_recipients (id, master_user_id, created_at, updated_at, job_id, position, phone,"
               " state) SELECT 'p', master_user_id, '2026-12-01T07:59:00.000Z', '2026-12-01T07:59:00.000Z',"
               " 'j1', 30, '6280099', 'pending' FROM contacts LIMIT 1;");
  reply = record (f, "6281234567890", "IN1", "Masih ada?", NULL);
  g_assert_cmpstr (xi_incoming_get_job_id (reply), ==, "j1");

  WAIT (xi_store_job_timeline_async (f->store, "j1", NULL, xi_test_store_result_cb, &slot_),
        timeline = xi_store_job_timeline_finish (f->store, result_, &error));
  g_assert_no_error (error);

  /* 08:00 to 11:18 (the last read, of the 28th): under 48 intervals of 5 minutes. */
  g_assert_cmpint (timeline->interval, ==, 5 * 60);
  g_assert_cmpint (timeline->start, ==, 1796112000);  /* 2026-12-01T08:00Z */
  g_assert_cmpuint (timeline->n_intervals, ==, (27 * 4 + 90) / 5 + 1);
  for (guint i = 0; i < timeline->n_intervals; i++)
    {
      sent += timeline->sent[i];
      delivered += timeline->delivered[i];
      read += timeline->read[i];
    }
  g_assert_cmpuint (sent, ==, 30);
  g_assert_cmpuint (delivered, ==, 15);
  g_assert_cmpuint (read, ==, 10);
  /* 08:00 and 08:04 fall in the first interval; the first read at 09:30. */
  g_assert_cmpuint (timeline->sent[0], ==, 2);
  g_assert_cmpuint (timeline->read[90 / 5], ==, 1);
  g_assert_cmpuint (timeline->replies, ==, 1);

  copy = xi_job_timeline_copy (timeline);
  g_assert_cmpuint (copy->sent[0], ==, 2);
  g_assert_cmpuint (copy->n_intervals, ==, timeline->n_intervals);

  /* A campaign that sent nothing yet has no intervals. */
  xi_test_sqlite_exec (f->path, "INSERT INTO jobs (id, master_user_id, created_at, updated_at, name, state)"
               " SELECT 'j2', master_user_id, '2026-12-01T07:59:00.000Z', '2026-12-01T07:59:00.000Z',"
               " 'Nanti', 'pending' FROM contacts LIMIT 1;");
  WAIT (xi_store_job_timeline_async (f->store, "j2", NULL, xi_test_store_result_cb, &slot_),
        empty = xi_store_job_timeline_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (empty->n_intervals, ==, 0);
  g_assert_cmpuint (empty->replies, ==, 0);

  g_assert_cmpuint (xi_job_timeline_choose_interval (0, 48), ==, 60);
  g_assert_cmpuint (xi_job_timeline_choose_interval (47 * 60, 48), ==, 60);
  g_assert_cmpuint (xi_job_timeline_choose_interval (48 * 60, 48), ==, 300);
  g_assert_cmpuint (xi_job_timeline_choose_interval (30 * 86400, 48), ==, 86400);
}

/* The top of a long inbox, read first by the Inbox page, is exactly the
 * start of the whole list: same order, names, counts and opt-outs. */
static void
test_recent_conversations (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(XiContact) siti = add_contact (f, "Siti", "6281234567890");
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) recent = NULL;
  g_autoptr(GPtrArray) more = NULL;

  for (guint i = 0; i < 12; i++)
    {
      g_autofree char *phone = g_strdup_printf ("62857000011%02u", i);
      g_autofree char *id = g_strdup_printf ("R%u", i);

      g_object_unref (record (f, i % 4 == 0 ? "6281234567890" : phone, id,
                              i == 7 ? "STOP" : "Masih ada?", NULL));
    }

  all = conversations (f);
  g_assert_cmpuint (all->len, ==, 10);
  recent = recent_conversations (f, 4);
  g_assert_cmpuint (recent->len, ==, 4);
  more = recent_conversations (f, 50);
  g_assert_cmpuint (more->len, ==, all->len);

  for (guint i = 0; i < all->len; i++)
    {
      XiConversation *whole = g_ptr_array_index (all, i);
      XiConversation *head = g_ptr_array_index (more, i);

      g_assert_cmpstr (xi_conversation_get_phone (head), ==, xi_conversation_get_phone (whole));
      g_assert_cmpstr (xi_conversation_get_contact_id (head), ==, xi_conversation_get_contact_id (whole));
      g_assert_cmpstr (xi_conversation_get_contact_name (head), ==, xi_conversation_get_contact_name (whole));
      g_assert_cmpstr (xi_conversation_get_last_text (head), ==, xi_conversation_get_last_text (whole));
      g_assert_cmpstr (xi_conversation_get_last_received_at (head), ==,
                       xi_conversation_get_last_received_at (whole));
      g_assert_cmpuint (xi_conversation_get_unread_count (head), ==, xi_conversation_get_unread_count (whole));
      g_assert_cmpuint (xi_conversation_get_message_count (head), ==, xi_conversation_get_message_count (whole));
      g_assert_cmpint (xi_conversation_get_opted_out (head), ==, xi_conversation_get_opted_out (whole));
      if (i < recent->len)
        g_assert_cmpstr (xi_conversation_get_phone (g_ptr_array_index (recent, i)), ==,
                         xi_conversation_get_phone (whole));
    }
  /* Messages 11, 10 and 9 came from strangers, 8 from Siti (her third),
   * 7 was an opt-out. */
  g_assert_null (xi_conversation_get_contact_name (g_ptr_array_index (recent, 0)));
  g_assert_cmpstr (xi_conversation_get_contact_id (g_ptr_array_index (recent, 3)), ==, xi_contact_get_id (siti));
  g_assert_cmpuint (xi_conversation_get_message_count (g_ptr_array_index (recent, 3)), ==, 3);
  g_assert_true (xi_conversation_get_opted_out (g_ptr_array_index (all, 4)));
}

/* A modified client can send text that is not UTF-8, or megabytes of it:
 * the message is stored valid and at most as long as WhatsApp allows
 * (the sync server refuses longer ones), cut with an ellipsis. */
static void
test_hostile_text (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GString) huge = g_string_new (NULL);
  g_autoptr(XiIncoming) broken = NULL;
  g_autoptr(XiIncoming) cut = NULL;
  g_autoptr(XiIncoming) fits = NULL;
  g_autofree char *exact = NULL;
  const char *text;

  broken = record (f, "6281234500001", "HOSTILE-1", "Halo \xff\xfe kak", NULL);
  text = xi_incoming_get_text (broken);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_true (g_str_has_prefix (text, "Halo "));
  g_assert_true (g_str_has_suffix (text, " kak"));

  for (guint i = 0; i < 2 * 1024 * 1024; i++)
    g_string_append (huge, "é");
  cut = record (f, "6281234500001", "HOSTILE-2", huge->str, NULL);
  text = xi_incoming_get_text (cut);
  g_assert_cmpint (g_utf8_strlen (text, -1), ==, XI_LIMIT_MESSAGE_CHARS);
  g_assert_true (g_str_has_prefix (text, "éé"));
  g_assert_true (g_str_has_suffix (text, "é…"));

  /* One of exactly the longest length is kept whole. */
  g_string_truncate (huge, 2 * XI_LIMIT_MESSAGE_CHARS);
  exact = g_strdup (huge->str);
  fits = record (f, "6281234500001", "HOSTILE-3", exact, NULL);
  g_assert_cmpstr (xi_incoming_get_text (fits), ==, exact);
}

/* Customers whose number WhatsApp hides */

#define HIDDEN_LID  "6285799990000@lid"
#define HIDDEN_USER "6285799990000"

static GPtrArray *
messages_of (Fixture    *f,
             const char *address)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *list = NULL;

  WAIT (xi_store_list_messages_async (f->store, address, NULL, xi_test_store_result_cb, &slot_),
        list = xi_store_list_messages_finish (f->store, result_, &error));
  g_assert_no_error (error);
  return list;
}

static XiConversation *
find_conversation (GPtrArray  *list,
                   const char *address)
{
  for (guint i = 0; i < list->len; i++)
    if (g_strcmp0 (xi_conversation_get_phone (g_ptr_array_index (list, i)), address) == 0)
      return g_ptr_array_index (list, i);
  return NULL;
}

/* The WhatsApp keys are read once before anything is written to them. */
static void
load_keys (Fixture *f)
{
  g_autoptr(GHashTable) keys = NULL;
  g_autoptr(GError) error = NULL;

  WAIT (xi_store_load_keys_async (f->store, NULL, NULL, xi_test_store_result_cb, &slot_),
        keys = xi_store_load_keys_finish (f->store, result_, &error));
  g_assert_no_error (error);
}

/* The key store learns that @lid_user is @pn_user, as the messenger
 * would write it. */
static gboolean
map_lid (Fixture     *f,
         const char  *lid_user,
         const char  *pn_user,
         GError     **error)
{
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify)xi_key_change_free);
  g_autoptr(GBytes) value = g_bytes_new (pn_user, strlen (pn_user));
  gboolean ok = FALSE;

  g_ptr_array_add (changes, xi_key_change_new (XI_STORE_KEY_KIND_LID_PN, lid_user, value));
  WAIT (xi_store_put_keys_async (f->store, changes, NULL, xi_test_store_result_cb, &slot_),
        ok = xi_store_put_keys_finish (f->store, result_, error));
  return ok;
}

/* A message whose sender's number never came is kept, in a conversation
 * of its own keyed by its LID, which is never read as a number: not
 * matched to the contact whose number has the same digits, not put on
 * any campaign's list. A STOP from it is kept under the LID. */
static void
test_hidden_number_kept (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(XiContact) lookalike = add_contact (f, "Same Digits", HIDDEN_USER);
  g_autoptr(XiIncoming) hello = record (f, HIDDEN_LID, "L1", "Halo, masih ada stok?", NULL);
  g_autoptr(XiIncoming) stop = NULL;
  g_autoptr(XiChatMessage) reply = NULL;
  g_autoptr(GPtrArray) convs = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GError) error = NULL;
  XiConversation *hidden;
  guint opted_out = 0, eligible = 0, marked = 0;

  g_assert_cmpstr (xi_incoming_get_phone (hello), ==, HIDDEN_LID);
  g_assert_null (xi_incoming_get_contact_id (hello));
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM incoming_messages WHERE phone IS NULL"
                               " AND from_jid = '" HIDDEN_LID "'"), ==, 1);

  convs = conversations (f);
  g_assert_cmpuint (convs->len, ==, 1);
  hidden = find_conversation (convs, HIDDEN_LID);
  g_assert_nonnull (hidden);
  g_assert_null (xi_conversation_get_contact_name (hidden));
  g_assert_false (xi_conversation_get_opted_out (hidden));
  messages = messages_of (f, HIDDEN_LID);
  g_assert_cmpuint (messages->len, ==, 1);
  g_clear_pointer (&messages, g_ptr_array_unref);
  messages = messages_of (f, HIDDEN_USER);
  g_assert_cmpuint (messages->len, ==, 0);
  WAIT (xi_store_mark_conversation_read_async (f->store, HIDDEN_LID, NULL, xi_test_store_result_cb, &slot_),
        marked = xi_store_mark_conversation_read_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (marked, ==, 1);

  /* Nothing is sent to it, nor to the number with its digits. */
  reply = add_reply (f, HIDDEN_LID, "3EB0R1", "Masih, kak", NULL, &error);
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_INVALID);
  g_assert_null (reply);
  g_clear_error (&error);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM outgoing_messages"), ==, 0);

  stop = record (f, HIDDEN_LID, "L2", "STOP", NULL);
  g_assert_cmpstr (xi_incoming_get_opt_out_keyword (stop), ==, "STOP");
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM suppression_events WHERE phone = '" HIDDEN_LID "'"
                               " AND event = 'opt_out' AND keyword = 'STOP' AND message_id = 'L2'"), ==, 1);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM history WHERE kind = 'reply.opted-out'"
                               " AND summary NOT LIKE '%" HIDDEN_USER "%'"), ==, 1);
  g_clear_pointer (&convs, g_ptr_array_unref);
  convs = conversations (f);
  g_assert_true (xi_conversation_get_opted_out (find_conversation (convs, HIDDEN_LID)));
  plan_skips (f, &opted_out, &eligible);
  g_assert_cmpuint (opted_out, ==, 0);
  g_assert_cmpuint (eligible, ==, 1);
}

/* The LID's number becomes known: its messages join the number's
 * conversation and contact, its STOP becomes the number's, and the next
 * campaign skips the number. A second LID of the same number joins it
 * too; a disk that is full then leaves both the mapping and the messages
 * as they were, for the next write. */
static void
test_hidden_number_joined (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(XiContact) siti = add_contact (f, "Siti", "6281234567890");
  g_autoptr(XiIncoming) known = record (f, "+6281234567890", "N1", "Pesanan saya sudah sampai?", NULL);
  g_autoptr(XiIncoming) hidden = record (f, HIDDEN_LID, "L1", "Halo?", NULL);
  g_autoptr(XiIncoming) stop = record (f, HIDDEN_LID, "L2", "STOP", NULL);
  g_autoptr(XiIncoming) other = record (f, "99887766554433@lid", "L3", "Ini nomor baru saya", NULL);
  g_autoptr(GPtrArray) convs = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GError) error = NULL;
  guint opted_out = 0, eligible = 0;
  XiConversation *conversation;

  load_keys (f);
  plan_skips (f, &opted_out, &eligible);
  g_assert_cmpuint (opted_out, ==, 0);

  g_test_expect_message ("xi-store-inbox", G_LOG_LEVEL_MESSAGE, "*2 messages and an opt-out joined*");
  g_assert_true (map_lid (f, HIDDEN_USER, "6281234567890", &error));
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM incoming_messages WHERE phone = '6281234567890'"
                               " AND contact_id IS NOT NULL"), ==, 3);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM suppression_events WHERE phone = '6281234567890'"
                               " AND event = 'opt_out' AND keyword = 'STOP' AND message_id = 'L2'"
                               " AND contact_id IS NOT NULL"), ==, 1);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM contacts WHERE opted_out = 1"), ==, 1);
  convs = conversations (f);
  g_assert_cmpuint (convs->len, ==, 2);
  conversation = find_conversation (convs, "6281234567890");
  g_assert_cmpstr (xi_conversation_get_contact_name (conversation), ==, "Siti");
  g_assert_cmpuint (xi_conversation_get_message_count (conversation), ==, 3);
  g_assert_true (xi_conversation_get_opted_out (conversation));
  g_assert_null (find_conversation (convs, HIDDEN_LID));
  messages = messages_of (f, "+6281234567890");
  g_assert_cmpuint (messages->len, ==, 3);
  plan_skips (f, &opted_out, &eligible);
  g_assert_cmpuint (opted_out, ==, 1);
  g_assert_cmpuint (eligible, ==, 0);

  /* A full disk: the mapping is not written, and nothing is joined. */
  _xi_store_set_test_setting (f->store, XI_STORE_TEST_FAIL_KEY_WRITE, "99887766554433");
  g_assert_false (map_lid (f, "99887766554433", "6281234567890", &error));
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_DISK_FULL);
  g_clear_error (&error);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM incoming_messages WHERE phone IS NULL"), ==, 1);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM wa_keystore WHERE key = '99887766554433'"), ==, 0);
  _xi_store_set_test_setting (f->store, XI_STORE_TEST_FAIL_KEY_WRITE, NULL);

  /* Room again: the second LID of the number joins it too, and the
   * number, on the list already, gets no second opt-out. */
  g_test_expect_message ("xi-store-inbox", G_LOG_LEVEL_MESSAGE, "*1 messages joined*");
  g_assert_true (map_lid (f, "99887766554433", "6281234567890", &error));
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM incoming_messages WHERE phone = '6281234567890'"), ==, 4);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM suppression_events WHERE phone = '6281234567890'"), ==, 1);

  /* A LID that moves to another number leaves what it joined where it is. */
  g_assert_true (map_lid (f, HIDDEN_USER, "6289900001111", &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM incoming_messages WHERE phone = '6281234567890'"), ==, 4);
  (void)siti;
}

/* A number already mapped on disk (by another process linked to the same
 * account) is found when the message is stored. */
static void
test_hidden_number_known_at_once (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(XiIncoming) incoming = NULL;
  g_autoptr(GError) error = NULL;

  load_keys (f);
  g_assert_true (map_lid (f, HIDDEN_USER, "6281234567890", &error));
  g_assert_no_error (error);
  incoming = record (f, HIDDEN_LID, "L1", "Halo", NULL);
  g_assert_cmpstr (xi_incoming_get_phone (incoming), ==, "6281234567890");
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM incoming_messages WHERE phone = '6281234567890'"
                               " AND from_jid = '" HIDDEN_LID "'"), ==, 1);
}

/* An opt-in of the number made after the LID's STOP stands: joining
 * the LID, and writing its mapping again as a relink does, never opts
 * the number out behind the user's back. */
static void
test_hidden_number_opt_in_stands (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(XiContact) siti = add_contact (f, "Siti", "6281234567890");
  g_autoptr(XiContact) budi = add_contact (f, "Budi", "6281200002222");
  g_autoptr(XiIncoming) lid_stop = record (f, HIDDEN_LID, "L1", "STOP", NULL);
  g_autoptr(XiIncoming) number_stop = record (f, "+6281234567890", "N1", "STOP", NULL);
  g_autoptr(XiIncoming) other_stop = record (f, "99887766554433@lid", "L2", "STOP", NULL);
  g_autoptr(GError) error = NULL;
  guint opted_out = 0, eligible = 0;
  gboolean ok = FALSE;

  /* The LIDs' STOPs came an hour before the number's opt-out and opt-in. */
  xi_test_sqlite_exec (f->path, "UPDATE suppression_events SET created_at = '2026-12-01T08:00:00.000Z'"
                                " WHERE phone LIKE '%@lid'");
  WAIT (xi_store_undo_opt_out_async (f->store, "+6281234567890", NULL, xi_test_store_result_cb, &slot_),
        ok = xi_store_undo_opt_out_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (ok);
  load_keys (f);
  g_assert_true (map_lid (f, HIDDEN_USER, "6281234567890", &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM suppression_events WHERE phone = '6281234567890'"), ==, 2);
  plan_skips (f, &opted_out, &eligible);
  g_assert_cmpuint (opted_out, ==, 0);
  g_assert_cmpuint (eligible, ==, 2);

  /* A LID opted out, joined, then the user opted the number in: the same
   * mapping written again leaves the number on no list. */
  g_assert_true (map_lid (f, "99887766554433", "6281200002222", &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM suppression_events WHERE phone = '6281200002222'"
                               " AND event = 'opt_out' AND message_id = 'L2'"), ==, 1);
  WAIT (xi_store_undo_opt_out_async (f->store, "6281200002222", NULL, xi_test_store_result_cb, &slot_),
        ok = xi_store_undo_opt_out_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (map_lid (f, "99887766554433", "6281200002222", &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM suppression_events WHERE phone = '6281200002222'"), ==, 2);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM contacts WHERE opted_out = 1"), ==, 0);
  plan_skips (f, &opted_out, &eligible);
  g_assert_cmpuint (opted_out, ==, 0);
  (void)siti;
  (void)budi;
  (void)lid_stop;
  (void)number_stop;
  (void)other_stop;
}

/* A joined message belongs to the campaign that last wrote to the number
 * before it came, not to one sent after it. */
static void
test_hidden_number_joins_earlier_campaign (Fixture       *f,
                                           gconstpointer  data)
{
  g_autoptr(XiContact) siti = add_contact (f, "Siti", "6281234567890");
  g_autoptr(XiIncoming) early = record (f, HIDDEN_LID, "L1", "Siapa ini?", NULL);
  g_autoptr(XiIncoming) between = record (f, HIDDEN_LID, "L2", "Masih ada stok?", NULL);
  g_autoptr(GError) error = NULL;

  xi_test_sqlite_exec (f->path,
                       "UPDATE incoming_messages SET received_at = CASE wa_message_id"
                       " WHEN 'L1' THEN '2026-12-01T07:00:00.000Z' ELSE '2026-12-01T09:00:00.000Z' END;"
                       "INSERT INTO jobs (id, master_user_id, created_at, updated_at, name, state)"
                       " SELECT j, master_user_id, '2026-12-01T06:00:00.000Z', '2026-12-01T06:00:00.000Z', j,"
                       " 'completed' FROM contacts, (SELECT 'j1' AS j UNION ALL SELECT 'j2');"
                       "INSERT INTO job_recipients (id, master_user_id, created_at, updated_at, job_id, position,"
                       " phone, state, wa_message_id, sent_at)"
                       " SELECT 'r' || j, master_user_id, '2026-12-01T06:00:00.000Z', '2026-12-01T06:00:00.000Z',"
                       " j, 0, '6281234567890', 'sent', 'M' || j, t FROM contacts,"
                       " (SELECT 'j1' AS j, '2026-12-01T08:00:00.000Z' AS t"
                       "  UNION ALL SELECT 'j2', '2026-12-01T10:00:00.000Z');");
  load_keys (f);
  g_assert_true (map_lid (f, HIDDEN_USER, "6281234567890", &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM incoming_messages WHERE wa_message_id = 'L2'"
                               " AND job_id = 'j1'"), ==, 1);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM incoming_messages WHERE wa_message_id = 'L1'"
                               " AND job_id IS NULL AND phone = '6281234567890'"), ==, 1);
  (void)siti;
  (void)early;
  (void)between;
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/inbox/opt-out/match", test_opt_out_match);
  g_test_add_func ("/inbox/opt-out/custom-keywords", test_opt_out_custom_keywords);
  g_test_add_func ("/inbox/opt-out/hostile-marks", test_opt_out_hostile_marks);
  g_test_add_func ("/inbox/rules/matching", test_rule_matching);
  g_test_add ("/inbox/store/record-and-list", Fixture, NULL, fixture_setup, test_record_and_list, fixture_teardown);
  g_test_add ("/inbox/store/hostile-text", Fixture, NULL, fixture_setup, test_hostile_text, fixture_teardown);
  g_test_add ("/inbox/store/recent-conversations", Fixture, NULL, fixture_setup, test_recent_conversations,
              fixture_teardown);
  g_test_add ("/inbox/store/opt-out-and-undo", Fixture, NULL, fixture_setup, test_opt_out_and_undo, fixture_teardown);
  g_test_add ("/inbox/store/opt-out-without-contact", Fixture, NULL, fixture_setup,
              test_opt_out_without_contact, fixture_teardown);
  g_test_add ("/inbox/store/rules", Fixture, NULL, fixture_setup, test_rules_crud, fixture_teardown);
  g_test_add ("/inbox/store/auto-reply-log", Fixture, NULL, fixture_setup, test_auto_reply_log, fixture_teardown);
  g_test_add ("/inbox/store/thread-both-sides", Fixture, NULL, fixture_setup, test_thread_both_sides,
              fixture_teardown);
  g_test_add ("/inbox/store/job-timeline", Fixture, NULL, fixture_setup, test_job_timeline, fixture_teardown);
  g_test_add ("/inbox/store/reply-after-opt-out", Fixture, NULL, fixture_setup, test_reply_after_opt_out,
              fixture_teardown);
  g_test_add ("/inbox/store/hidden-number-kept", Fixture, NULL, fixture_setup, test_hidden_number_kept,
              fixture_teardown);
  g_test_add ("/inbox/store/hidden-number-joined", Fixture, NULL, fixture_setup, test_hidden_number_joined,
              fixture_teardown);
  g_test_add ("/inbox/store/hidden-number-known-at-once", Fixture, NULL, fixture_setup,
              test_hidden_number_known_at_once, fixture_teardown);
  g_test_add ("/inbox/store/hidden-number-opt-in-stands", Fixture, NULL, fixture_setup,
              test_hidden_number_opt_in_stands, fixture_teardown);
  g_test_add ("/inbox/store/hidden-number-joins-earlier-campaign", Fixture, NULL, fixture_setup,
              test_hidden_number_joins_earlier_campaign, fixture_teardown);

  return g_test_run ();
}
