/* test-auto-reply-facade.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "xi-auto-reply-facade.h"
#include "xi-test-facade.h"
#include "xi-test-utils.h"

/*
 * XiAutoReplyFacade over a real store: rules written to the store by
 * anything but the facade (as sync's pull does) appear in its model, an
 * edit changes the object the model already holds and says which fields
 * changed, the model keeps the order rules are tried in, and the
 * facade's own writes show exactly once. Needs no display.
 */

typedef struct
{
  char              *dir;
  XiStore           *store;
  XiAutoReplyFacade *facade;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = xi_test_make_tmpdir ();
  f->store = xi_test_facade_open_store (f->dir);

  f->facade = xi_auto_reply_facade_new (f->store);
  xi_test_facade_reload (XI_FACADE (f->facade));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  xi_test_facade_tear_down (XI_FACADE (f->facade), f->store, f->dir);
}

static void
wait_followed (Fixture *f)
{
  xi_test_facade_wait_followed (XI_FACADE (f->facade));
}

/* Writes @rule straight to the store, the way sync applies a pulled row. */
static XiAutoReplyRule *
store_rule (Fixture         *f,
            XiAutoReplyRule *rule)
{
  g_autoptr(GError) error = NULL;
  XiAutoReplyRule *saved = NULL;

  XI_TEST_WAIT (xi_store_save_auto_reply_rule_async (f->store, rule, NULL, xi_test_store_result_cb, &slot_),
                saved = xi_store_save_auto_reply_rule_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_nonnull (saved);
  return saved;
}

static const char *
name_at (Fixture *f,
         guint    position)
{
  g_autoptr(XiAutoReplyRule) rule = g_list_model_get_item (xi_facade_get_model (XI_FACADE (f->facade)),
                                                           position);

  return rule != NULL ? xi_auto_reply_rule_get_name (rule) : NULL;
}

static void
test_follows_store (Fixture       *f,
                    gconstpointer  data)
{
  GListModel *model = xi_facade_get_model (XI_FACADE (f->facade));
  g_autoptr(XiAutoReplyRule) harga = xi_auto_reply_rule_new ("Harga");
  g_autoptr(XiAutoReplyRule) stored = NULL;
  g_autoptr(XiAutoReplyRule) edited = NULL;
  g_autoptr(XiAutoReplyRule) renamed = NULL;
  g_autoptr(XiAutoReplyRule) urgent = xi_auto_reply_rule_new ("Darurat");
  g_autoptr(XiAutoReplyRule) urgent_stored = NULL;
  g_autoptr(XiAutoReplyRule) night = xi_auto_reply_rule_new ("Di luar jam kerja");
  g_autoptr(XiAutoReplyRule) night_saved = NULL;
  g_autoptr(GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  const char *words[] = { "harga", NULL };
  const char *more_words[] = { "harga", "ongkir", NULL };
  gboolean deleted = FALSE;
  XiAutoReplyRule *shown;

  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);

  /* Written elsewhere: it appears. */
  xi_auto_reply_rule_set_keywords (harga, words);
  xi_auto_reply_rule_set_reply_text (harga, "Daftar harga ada di katalog.");
  stored = store_rule (f, harga);
  wait_followed (f);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  shown = xi_facade_find (XI_FACADE (f->facade), xi_auto_reply_rule_get_id (stored));
  g_assert_nonnull (shown);
  g_assert_cmpstr (xi_auto_reply_rule_get_reply_text (shown), ==, "Daftar harga ada di katalog.");

  /* Edited there: the same object takes the fields that changed, and
   * says so for those alone. */
  g_signal_connect (shown, "notify", G_CALLBACK (xi_test_count_notify_cb), counts);
  edited = xi_auto_reply_rule_copy (stored);
  xi_auto_reply_rule_set_name (edited, "Harga Grosir");
  xi_auto_reply_rule_set_keywords (edited, more_words);
  xi_auto_reply_rule_set_hours (edited, 8, 17);
  xi_auto_reply_rule_set_enabled (edited, FALSE);
  renamed = store_rule (f, edited);
  wait_followed (f);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  g_assert_true (xi_facade_find (XI_FACADE (f->facade), xi_auto_reply_rule_get_id (stored)) == shown);
  g_assert_cmpstr (xi_auto_reply_rule_get_name (shown), ==, "Harga Grosir");
  g_assert_cmpstrv (xi_auto_reply_rule_get_keywords (shown), more_words);
  g_assert_false (xi_auto_reply_rule_get_enabled (shown));
  g_assert_cmpuint (xi_test_count_of (counts, "name"), ==, 1);
  g_assert_cmpuint (xi_test_count_of (counts, "keywords"), ==, 1);
  g_assert_cmpuint (xi_test_count_of (counts, "hours-start"), ==, 1);
  g_assert_cmpuint (xi_test_count_of (counts, "hours-end"), ==, 1);
  g_assert_cmpuint (xi_test_count_of (counts, "enabled"), ==, 1);
  g_assert_cmpuint (xi_test_count_of (counts, "reply-text"), ==, 0);
  g_assert_cmpuint (xi_test_count_of (counts, "priority"), ==, 0);
  g_signal_handlers_disconnect_by_func (shown, xi_test_count_notify_cb, counts);

  /* A rule of higher priority is tried first, so it comes first. */
  xi_auto_reply_rule_set_trigger (urgent, XI_AUTO_REPLY_TRIGGER_ANY);
  xi_auto_reply_rule_set_reply_text (urgent, "Kami segera membalas.");
  xi_auto_reply_rule_set_priority (urgent, 10);
  urgent_stored = store_rule (f, urgent);
  wait_followed (f);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  g_assert_cmpstr (name_at (f, 0), ==, "Darurat");
  g_assert_cmpstr (name_at (f, 1), ==, "Harga Grosir");

  /* Saved through the facade: in the model when the caller hears, and
   * once, after the store's announcement too. */
  xi_auto_reply_rule_set_trigger (night, XI_AUTO_REPLY_TRIGGER_ANY);
  xi_auto_reply_rule_set_reply_text (night, "Kami balas besok pagi.");
  XI_TEST_WAIT (xi_auto_reply_facade_save_async (f->facade, night, NULL, xi_test_store_result_cb, &slot_),
                night_saved = xi_auto_reply_facade_save_finish (f->facade, result_, &error));
  g_assert_no_error (error);
  g_assert_true (xi_facade_find (XI_FACADE (f->facade), xi_auto_reply_rule_get_id (night_saved)) == night_saved);
  wait_followed (f);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 3);
  g_assert_cmpstr (name_at (f, 1), ==, "Di luar jam kerja");

  /* Deleted elsewhere: gone. */
  XI_TEST_WAIT (xi_store_delete_auto_reply_rule_async (f->store, xi_auto_reply_rule_get_id (urgent_stored), NULL,
                                                       xi_test_store_result_cb, &slot_),
                deleted = xi_store_delete_auto_reply_rule_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (deleted);
  wait_followed (f);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  g_assert_null (xi_facade_find (XI_FACADE (f->facade), xi_auto_reply_rule_get_id (urgent_stored)));

  /* Deleted through the facade: gone at once. */
  XI_TEST_WAIT (xi_auto_reply_facade_delete_async (f->facade, xi_auto_reply_rule_get_id (night_saved), NULL,
                                                   xi_test_store_result_cb, &slot_),
                deleted = xi_auto_reply_facade_delete_finish (f->facade, result_, &error));
  g_assert_no_error (error);
  g_assert_true (deleted);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  wait_followed (f);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  g_assert_cmpstr (name_at (f, 0), ==, "Harga Grosir");
}

/* A copy equal to the rule changes nothing and announces nothing. */
static void
test_update_unchanged (void)
{
  g_autoptr(XiAutoReplyRule) rule = xi_auto_reply_rule_new ("Salam");
  g_autoptr(XiAutoReplyRule) copy = NULL;
  g_autoptr(GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  const char *words[] = { "halo", "pagi", NULL };

  xi_auto_reply_rule_set_keywords (rule, words);
  xi_auto_reply_rule_set_hours (rule, 22, 6);
  copy = xi_auto_reply_rule_copy (rule);
  g_signal_connect (rule, "notify", G_CALLBACK (xi_test_count_notify_cb), counts);
  xi_auto_reply_rule_update_from (rule, copy);
  g_assert_cmpuint (g_hash_table_size (counts), ==, 0);

  xi_auto_reply_rule_set_hours (copy, -1, -1);
  xi_auto_reply_rule_set_cooldown_seconds (copy, 3600);
  xi_auto_reply_rule_update_from (rule, copy);
  g_assert_false (xi_auto_reply_rule_get_hours (rule, NULL, NULL));
  g_assert_cmpuint (xi_auto_reply_rule_get_cooldown_seconds (rule), ==, 3600);
  g_assert_cmpuint (xi_test_count_of (counts, "hours-start"), ==, 1);
  g_assert_cmpuint (xi_test_count_of (counts, "hours-end"), ==, 1);
  g_assert_cmpuint (xi_test_count_of (counts, "cooldown-seconds"), ==, 1);
  g_assert_cmpuint (g_hash_table_size (counts), ==, 3);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_setenv ("XENDER_IN_SECRETS", "file", TRUE);

  g_test_add ("/xi/auto-reply-facade/follows-store", Fixture, NULL, fixture_setup, test_follows_store,
              fixture_teardown);
  g_test_add_func ("/xi/auto-reply-rule/update-unchanged", test_update_unchanged);
  return g_test_run ();
}
