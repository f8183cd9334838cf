/* test-inbox-facade.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "xi-inbox-facade.h"
#include "xi-test-facade.h"
#include "xi-test-utils.h"

/*
 * XiInboxFacade over a real store: messages recorded straight in the
 * store (as the engine and sync's pull do) change the conversations in
 * place, keeping their objects; marking read and allowing a number again
 * through the facade are in the model when the caller hears of them, and
 * the unread count follows. Needs no display.
 */

#define RINA "6281300000001"
#define ADI  "6281300000002"
/* A customer whose number WhatsApp hid, by the LID it wrote from. */
#define HIDDEN "236395184570386@lid"

typedef struct
{
  char          *dir;
  XiStore       *store;
  XiInboxFacade *facade;
} Fixture;

static void
receive (Fixture    *f,
         const char *phone,
         const char *text,
         const char *opt_out_keyword)
{
  static guint serial;
  g_autofree char *message_id = g_strdup_printf ("3EB0FACADE%04u", ++serial);
  g_autoptr(XiIncoming) incoming = NULL;
  g_autoptr(GError) error = NULL;

  XI_TEST_WAIT (xi_store_record_incoming_async (f->store, phone, NULL, message_id, text, opt_out_keyword,
                                                NULL, xi_test_store_result_cb, &slot_),
                incoming = xi_store_record_incoming_finish (f->store, result_, NULL, &error));
  g_assert_no_error (error);
  /* Timestamps have milliseconds; keep the order unambiguous. */
  g_usleep (3000);
}

static void
wait_followed (Fixture *f)
{
  xi_test_facade_wait_followed (XI_FACADE (f->facade));
}

static XiConversation *
at (Fixture *f,
    guint    position)
{
  g_autoptr(XiConversation) conversation = g_list_model_get_item (xi_facade_get_model (XI_FACADE (f->facade)),
                                                                  position);

  return conversation;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = xi_test_make_tmpdir ();
  f->store = xi_test_facade_open_store (f->dir);
  receive (f, RINA, "Halo", NULL);
  receive (f, ADI, "Berapa harganya?", NULL);

  f->facade = xi_inbox_facade_new (f->store);
  xi_test_facade_reload (XI_FACADE (f->facade));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  xi_test_facade_tear_down (XI_FACADE (f->facade), f->store, f->dir);
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
}

static void
test_follows_in_place (Fixture       *f,
                       gconstpointer  data)
{
  GListModel *model = xi_facade_get_model (XI_FACADE (f->facade));
  XiConversation *rina;
  XiConversation *adi;
  guint rina_texts = 0;
  guint adi_notified = 0;

  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  adi = at (f, 0);
  rina = at (f, 1);
  g_assert_cmpstr (xi_conversation_get_phone (adi), ==, ADI);
  g_assert_cmpuint (xi_inbox_facade_get_unread_count (f->facade), ==, 2);
  g_signal_connect (rina, "notify::last-text", G_CALLBACK (count_notify_cb), &rina_texts);
  g_signal_connect (adi, "notify", G_CALLBACK (count_notify_cb), &adi_notified);

  /* Rina writes again: her conversation moves up, the same object. */
  receive (f, RINA, "Masih buka?", NULL);
  wait_followed (f);
  g_assert_true (at (f, 0) == rina);
  g_assert_true (at (f, 1) == adi);
  g_assert_cmpstr (xi_conversation_get_last_text (rina), ==, "Masih buka?");
  g_assert_cmpuint (xi_conversation_get_message_count (rina), ==, 2);
  g_assert_cmpuint (rina_texts, ==, 1);
  g_assert_cmpuint (adi_notified, ==, 0);
  g_assert_cmpuint (xi_inbox_facade_get_unread_count (f->facade), ==, 3);

  /* An opt-out from Adi marks his conversation. */
  receive (f, ADI, "STOP", "STOP");
  wait_followed (f);
  g_assert_true (at (f, 0) == adi);
  g_assert_true (xi_conversation_get_opted_out (adi));
}

static void
test_writes (Fixture       *f,
             gconstpointer  data)
{
  XiConversation *adi = at (f, 0);
  XiConversation *rina = at (f, 1);
  g_autoptr(GError) error = NULL;
  gboolean done = FALSE;

  XI_TEST_WAIT (xi_inbox_facade_mark_read_async (f->facade, RINA, NULL, xi_test_store_result_cb, &slot_),
                done = xi_inbox_facade_mark_read_finish (f->facade, result_, &error));
  g_assert_no_error (error);
  g_assert_true (done);
  g_assert_cmpuint (xi_conversation_get_unread_count (rina), ==, 0);
  g_assert_cmpuint (xi_conversation_get_unread_count (adi), ==, 1);
  g_assert_cmpuint (xi_inbox_facade_get_unread_count (f->facade), ==, 1);

  XI_TEST_WAIT (xi_inbox_facade_mark_read_async (f->facade, NULL, NULL, xi_test_store_result_cb, &slot_),
                done = xi_inbox_facade_mark_read_finish (f->facade, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (xi_inbox_facade_get_unread_count (f->facade), ==, 0);

  receive (f, ADI, "Stop", "STOP");
  wait_followed (f);
  g_assert_true (xi_conversation_get_opted_out (adi));
  XI_TEST_WAIT (xi_inbox_facade_allow_async (f->facade, ADI, NULL, xi_test_store_result_cb, &slot_),
                done = xi_inbox_facade_allow_finish (f->facade, result_, &error));
  g_assert_no_error (error);
  g_assert_true (done);
  g_assert_false (xi_conversation_get_opted_out (adi));

  /* What the store announces afterwards agrees, and changes nothing. */
  wait_followed (f);
  g_assert_false (xi_conversation_get_opted_out (adi));
  g_assert_true (at (f, 0) == adi);
  g_assert_cmpuint (xi_inbox_facade_get_unread_count (f->facade), ==, 1);
}

/* A customer whose number WhatsApp hides has a conversation of its own,
 * by its LID: read, marked read and allowed again by it, without
 * touching the conversation of the number with the same digits. */
static void
test_hidden_number (Fixture       *f,
                    gconstpointer  data)
{
  GListModel *model = xi_facade_get_model (XI_FACADE (f->facade));
  XiConversation *hidden;
  g_autoptr(GError) error = NULL;
  gboolean done = FALSE;

  receive (f, "236395184570386", "Nomor dengan angka yang sama", NULL);
  receive (f, HIDDEN, "Halo, ini nomor baru saya", NULL);
  receive (f, HIDDEN, "STOP", "STOP");
  wait_followed (f);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 4);
  hidden = at (f, 0);
  g_assert_cmpstr (xi_conversation_get_phone (hidden), ==, HIDDEN);
  g_assert_cmpuint (xi_conversation_get_message_count (hidden), ==, 2);
  g_assert_cmpuint (xi_conversation_get_message_count (at (f, 1)), ==, 1);
  g_assert_true (xi_conversation_get_opted_out (hidden));
  g_assert_false (xi_conversation_get_opted_out (at (f, 1)));

  XI_TEST_WAIT (xi_inbox_facade_mark_read_async (f->facade, HIDDEN, NULL, xi_test_store_result_cb, &slot_),
                done = xi_inbox_facade_mark_read_finish (f->facade, result_, &error));
  g_assert_no_error (error);
  g_assert_true (done);
  g_assert_cmpuint (xi_conversation_get_unread_count (hidden), ==, 0);
  g_assert_cmpuint (xi_conversation_get_unread_count (at (f, 1)), ==, 1);

  XI_TEST_WAIT (xi_inbox_facade_allow_async (f->facade, HIDDEN, NULL, xi_test_store_result_cb, &slot_),
                done = xi_inbox_facade_allow_finish (f->facade, result_, &error));
  g_assert_no_error (error);
  g_assert_true (done);
  g_assert_false (xi_conversation_get_opted_out (hidden));
  wait_followed (f);
  g_assert_true (at (f, 0) == hidden);
  g_assert_false (xi_conversation_get_opted_out (hidden));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/xi/ui/inbox-facade/follows-in-place", Fixture, NULL, fixture_setup, test_follows_in_place,
              fixture_teardown);
  g_test_add ("/xi/ui/inbox-facade/writes", Fixture, NULL, fixture_setup, test_writes, fixture_teardown);
  g_test_add ("/xi/ui/inbox-facade/hidden-number", Fixture, NULL, fixture_setup, test_hidden_number,
              fixture_teardown);
  return g_test_run ();
}
