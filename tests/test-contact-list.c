/* test-contact-list.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "xi-contact-list.h"
#include "xi-import-reader.h"
#include "xi-test-utils.h"

/*
 * XiContactList over a real store of 3,000 contacts: the store's order,
 * placeholders until their page arrives, a bounded number of contacts
 * kept however far a view scrolls, and rows that change read again.
 */

#define N_CONTACTS 3000

typedef struct
{
  char          *dir;
  XiStore       *store;
  XiContactList *list;
  guint          changes;   /* items-changed emissions */
  guint          listings;  /* key listings finished */
} Fixture;

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Fixture    *f)
{
  f->changes++;
}

static void
loading_notified_cb (GObject    *object,
                     GParamSpec *pspec,
                     Fixture    *f)
{
  if (!xi_contact_list_get_loading (f->list))
    f->listings++;
}

/* Imports @csv, written to @name, and checks that @n_rows came in. */
static void
import_csv (Fixture    *f,
            const char *name,
            GString    *csv,
            guint       n_rows)
{
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(XiImportBatch) batch = NULL;
  g_autoptr(XiImportReport) report = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, csv->str, csv->len, NULL));

  XI_TEST_WAIT (xi_import_read_file_async (file, "62", NULL, NULL, NULL, NULL, xi_test_store_result_cb, &slot_),
                batch = xi_import_read_file_finish (result_, &error));
  g_assert_no_error (error);
  XI_TEST_WAIT (xi_store_import_contacts_async (f->store, g_steal_pointer (&batch), NULL, NULL, NULL, NULL,
                                                NULL, xi_test_store_result_cb, &slot_),
                report = xi_store_import_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report->imported, ==, n_rows);
}

/* Contacts "Kontak 0001" to "Kontak 3000", written in reverse, each
 * with a city every third one shares. */
static void
import_contacts (Fixture *f)
{
  g_autoptr(GString) csv = g_string_new ("Nama,Nomor,Kota\r\n");

  for (guint i = N_CONTACTS; i > 0; i--)
    g_string_append_printf (csv, "Kontak %04u,0813%08u,%s\r\n", i, i, i % 3 == 0 ? "Jakarta" : "Medan");
  import_csv (f, "kontak.csv", csv, N_CONTACTS);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  gboolean opened = FALSE;

  f->dir = xi_test_make_tmpdir ();
  path = g_build_filename (f->dir, "store.db", NULL);
  f->store = xi_store_new (path);
  XI_TEST_WAIT (xi_store_open_async (f->store, NULL, xi_test_store_result_cb, &slot_),
                opened = xi_store_open_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (opened);
  import_contacts (f);
  /* The import's XiStore::changed waits at idle priority behind its
   * callback: let it go before the list listens, or the list would
   * list its keys once more at a moment no test expects. */
  while (g_main_context_iteration (NULL, FALSE))
    ;

  f->list = xi_contact_list_new (f->store);
  g_signal_connect (f->list, "items-changed", G_CALLBACK (items_changed_cb), f);
  g_signal_connect (f->list, "notify::loading", G_CALLBACK (loading_notified_cb), f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_finalize_object (f->list);
  xi_store_close (f->store);
  /* Page loads the list asked for and no longer wants still hold the
   * store until their answers are delivered. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (f->store);
  xi_test_rm_rf (f->dir);
  g_free (f->dir);
}

static gboolean
timed_out_cb (gpointer user_data)
{
  g_error ("timed out");
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until the list has listed its keys. */
static void
wait_listed (Fixture *f)
{
  guint timeout = g_timeout_add_seconds (20, timed_out_cb, NULL);

  while (xi_contact_list_get_loading (f->list))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout);
}

/* Runs the main loop until a listing that finished after the first
 * @listings has. The listing XiStore::changed starts may be answered
 * before the write's own callback runs (the store thread does not wait
 * for the main loop), so seeing "loading" turn on cannot be waited for. */
static void
wait_listed_since (Fixture *f,
                   guint    listings)
{
  guint timeout = g_timeout_add_seconds (20, timed_out_cb, NULL);

  while (f->listings == listings || xi_contact_list_get_loading (f->list))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout);
}

/* The item at @position once its page has arrived; the first answer
 * may be a placeholder, which a later items-changed replaces. */
static XiContact *
wait_item (Fixture *f,
           guint    position)
{
  guint timeout = g_timeout_add_seconds (20, timed_out_cb, NULL);
  XiContact *contact;

  while ((contact = g_list_model_get_item (G_LIST_MODEL (f->list), position)) != NULL &&
         xi_contact_get_id (contact) == NULL)
    {
      guint changes = f->changes;

      g_object_unref (contact);
      while (f->changes == changes)
        g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (timeout);
  return contact;
}

static void
assert_name_at (Fixture    *f,
                guint       position,
                const char *name)
{
  g_autoptr(XiContact) contact = wait_item (f, position);

  g_assert_nonnull (contact);
  g_assert_cmpstr (xi_contact_get_name (contact), ==, name);
}

/* The store's order, a placeholder before the page arrives, and the
 * contacts of that page once it has. */
static void
test_order_and_placeholders (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(XiContact) first = NULL;

  xi_contact_list_refresh (f->list);
  g_assert_true (xi_contact_list_get_loading (f->list));
  wait_listed (f);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->list)), ==, N_CONTACTS);
  g_assert_cmpuint (xi_contact_list_get_n_cached (f->list), ==, 0);

  first = g_list_model_get_item (G_LIST_MODEL (f->list), 1500);
  g_assert_true (XI_IS_CONTACT (first));
  g_assert_null (xi_contact_get_id (first));

  assert_name_at (f, 1500, "Kontak 1501");
  assert_name_at (f, 0, "Kontak 0001");
  assert_name_at (f, N_CONTACTS - 1, "Kontak 3000");
  /* The placeholder handed out is the object the page filled. */
  g_assert_cmpstr (xi_contact_get_name (first), ==, "Kontak 1501");
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (f->list), N_CONTACTS));
  g_assert_cmpint (xi_contact_list_get_key (f->list, N_CONTACTS), ==, 0);
  g_assert_cmpint (xi_contact_list_get_key (f->list, 0), !=, 0);
}

/* A view that scrolls through everything leaves a bounded number of
 * contacts loaded. */
static void
test_cache_bounded (Fixture       *f,
                    gconstpointer  data)
{
  guint most = 0;

  xi_contact_list_refresh (f->list);
  wait_listed (f);
  for (guint i = 0; i < N_CONTACTS; i += 37)
    {
      g_autofree char *name = g_strdup_printf ("Kontak %04u", i + 1);

      assert_name_at (f, i, name);
      most = MAX (most, xi_contact_list_get_n_cached (f->list));
    }
  g_assert_cmpuint (most, <=, 2048);
  g_assert_cmpuint (most, <, N_CONTACTS);
  /* What was dropped is loaded again when asked for. */
  assert_name_at (f, 1, "Kontak 0002");
}

/* The query is answered by the store: a search, conditions, both. */
static void
test_query (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *free_text = NULL;
  g_autoptr(XiContactFilter) jakarta = xi_contact_filter_new_from_search ("kota:jak", &free_text);

  xi_contact_list_set_query (f->list, "kontak 29", NULL);
  wait_listed (f);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->list)), ==, 100);
  assert_name_at (f, 0, "Kontak 2900");

  /* A second query replaces one still being answered. */
  xi_contact_list_set_query (f->list, "kontak 1", NULL);
  xi_contact_list_set_query (f->list, NULL, jakarta);
  wait_listed (f);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->list)), ==, N_CONTACTS / 3);
  assert_name_at (f, 0, "Kontak 0003");

  xi_contact_list_set_query (f->list, "kontak 00", jakarta);
  wait_listed (f);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->list)), ==, 33);
  assert_name_at (f, 32, "Kontak 0099");
}

/* A cleared list is empty at once, even with a listing under way, and
 * stays empty through the store's changes until it is queried again. */
static void
test_clear (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(XiContact) contact = xi_contact_new ();
  g_autoptr(XiContact) saved = NULL;
  g_autoptr(GError) error = NULL;

  xi_contact_list_refresh (f->list);
  wait_listed (f);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->list)), ==, N_CONTACTS);

  xi_contact_list_set_query (f->list, "kontak", NULL);
  xi_contact_list_clear (f->list);
  g_assert_false (xi_contact_list_get_loading (f->list));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->list)), ==, 0);

  xi_contact_set_name (contact, "Kontak Baru");
  xi_contact_set_phone (contact, "6281300009999");
  XI_TEST_WAIT (xi_store_save_contact_async (f->store, contact, NULL, xi_test_store_result_cb, &slot_),
                saved = xi_store_save_contact_finish (f->store, result_, &error));
  g_assert_no_error (error);
  /* The change is announced at idle priority. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_false (xi_contact_list_get_loading (f->list));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->list)), ==, 0);

  xi_contact_list_set_query (f->list, NULL, NULL);
  wait_listed (f);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->list)), ==, N_CONTACTS + 1);
}

/* The contacts the store lists for @filter, in list order. */
static GPtrArray *
list_filtered (Fixture         *f,
               XiContactFilter *filter)
{
  g_autoptr(GArray) keys = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *listed = NULL;

  XI_TEST_WAIT (xi_store_list_contact_keys_async (f->store, NULL, filter, NULL, xi_test_store_result_cb, &slot_),
                keys = xi_store_list_contact_keys_finish (f->store, result_, &error));
  g_assert_no_error (error);
  XI_TEST_WAIT (xi_store_load_contact_keys_async (f->store, (const gint64 *)(gpointer)keys->data, keys->len,
                                                  NULL, xi_test_store_result_cb, &slot_),
                listed = xi_store_load_contact_keys_finish (f->store, result_, &error));
  g_assert_no_error (error);
  return listed;
}

/* The store decides custom field conditions in SQL: it must agree,
 * contact for contact, with xi_contact_filter_matches () on values
 * that fold beyond ASCII, carry spaces, JSON escapes or no value. */
static void
test_field_conditions_agree (Fixture       *f,
                             gconstpointer  data)
{
  static const char *cities[] = {
    "Straße 5", "STRASSE 7", "  Jakarta  ", "ÇANKAYA", "çankaya", "Köln", "KÖLN",
    "Ἀθῆναι", "say \"jak\"", "a\\b", "tab\tjak", "", "   ", "JAKARTA",
  };
  static const char *conditions[] = {
    "kota:jak", "kota=jakarta", "kota!=jakarta", "kota=strasse 5", "kota:ss",
    "kota=çankaya", "kota:ÇAN", "kota=köln", "kota:ö", "kota:ἀθῆ", "kota:\"jak\"",
    "kota:a\\b", "kota=", "kota!=", "nothing=", "nothing:x", "kota:jak kota!=jakarta",
  };
  g_autoptr(GString) csv = g_string_new ("Nama,Nomor,Kota\r\n");
  g_autoptr(GPtrArray) everybody = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cities); i++)
    {
      g_autoptr(GString) quoted = g_string_new (cities[i]);

      g_string_replace (quoted, "\"", "\"\"", 0);
      g_string_append_printf (csv, "Kota %02u,0819%08u,\"%s\"\r\n", i, i, quoted->str);
    }
  import_csv (f, "kota.csv", csv, G_N_ELEMENTS (cities));
  XI_TEST_WAIT (xi_store_list_contacts_async (f->store, NULL, xi_test_store_result_cb, &slot_),
                everybody = xi_store_list_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (conditions); i++)
    {
      g_autofree char *free_text = NULL;
      g_autoptr(XiContactFilter) filter = xi_contact_filter_new_from_search (conditions[i], &free_text);
      g_autoptr(GPtrArray) listed = NULL;
      g_autoptr(GHashTable) wanted = g_hash_table_new (g_str_hash, g_str_equal);

      g_assert_false (xi_contact_filter_is_empty (filter));
      for (guint j = 0; j < everybody->len; j++)
        if (xi_contact_filter_matches (filter, g_ptr_array_index (everybody, j)))
          g_hash_table_add (wanted, (gpointer)xi_contact_get_id (g_ptr_array_index (everybody, j)));

      listed = list_filtered (f, filter);

      g_test_message ("%s: %u contacts", conditions[i], listed->len);
      g_assert_cmpuint (listed->len, ==, g_hash_table_size (wanted));
      for (guint j = 0; j < listed->len; j++)
        g_assert_true (g_hash_table_contains (wanted, xi_contact_get_id (g_ptr_array_index (listed, j))));
    }
}

static XiGroup *
make_group (Fixture    *f,
            const char *name,
            GPtrArray  *contacts,
            guint       every)
{
  g_autoptr(XiGroup) group = xi_group_new (name);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) ids = NULL;
  XiGroup *saved = NULL;
  guint n = 0;

  XI_TEST_WAIT (xi_store_save_group_async (f->store, group, NULL, xi_test_store_result_cb, &slot_),
                saved = xi_store_save_group_finish (f->store, result_, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < contacts->len; i += every)
    g_strv_builder_add (builder, xi_contact_get_id (g_ptr_array_index (contacts, i)));
  ids = g_strv_builder_end (builder);
  XI_TEST_WAIT (xi_store_add_group_members_async (f->store, xi_group_get_id (saved), (const char * const *)ids,
                                                  NULL, xi_test_store_result_cb, &slot_),
                n = xi_store_add_group_members_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, g_strv_length (ids));
  return saved;
}

/* Group conditions are decided in SQL, alone or with custom fields and
 * names, and agree with the filter's own test of each contact
 * against the resolved members; a member taken out of the group and a
 * deleted member are left out, and a group that does not exist is an
 * error, as it was. */
static void
test_group_conditions_agree (Fixture       *f,
                             gconstpointer  data)
{
  static const char *conditions[] = {
    "group=grosir", "group!=Grosir", "group=Grosir group!=vip", "group=VIP group=grosir",
    "group=grosir kota=jakarta", "group!=vip kota!=jakarta", "group=vip name~0",
  };
  g_autoptr(GPtrArray) everybody = NULL;
  g_autoptr(XiGroup) grosir = NULL;
  g_autoptr(XiGroup) vip = NULL;
  g_autoptr(XiContactFilter) missing = NULL;
  g_autoptr(GArray) none = NULL;
  g_autoptr(GError) error = NULL;
  const char *leaving[] = { NULL, NULL };
  guint n = 0;

  XI_TEST_WAIT (xi_store_list_contacts_async (f->store, NULL, xi_test_store_result_cb, &slot_),
                everybody = xi_store_list_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);
  grosir = make_group (f, "Grosir", everybody, 2);
  vip = make_group (f, "VIP", everybody, 5);

  leaving[0] = xi_contact_get_id (g_ptr_array_index (everybody, 10));
  XI_TEST_WAIT (xi_store_remove_group_members_async (f->store, xi_group_get_id (vip), leaving, NULL,
                                                     xi_test_store_result_cb, &slot_),
                n = xi_store_remove_group_members_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 1);
  leaving[0] = xi_contact_get_id (g_ptr_array_index (everybody, 20));
  XI_TEST_WAIT (xi_store_delete_contacts_async (f->store, leaving, NULL, xi_test_store_result_cb, &slot_),
                n = xi_store_delete_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_clear_pointer (&everybody, g_ptr_array_unref);
  XI_TEST_WAIT (xi_store_list_contacts_async (f->store, NULL, xi_test_store_result_cb, &slot_),
                everybody = xi_store_list_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (everybody->len, ==, N_CONTACTS - 1);

  for (guint i = 0; i < G_N_ELEMENTS (conditions); i++)
    {
      g_auto(GStrv) split = g_strsplit (conditions[i], " ", -1);
      g_autoptr(XiContactFilter) filter = xi_contact_filter_new_from_conditions ((const char * const *)split, &error);
      g_autoptr(XiContactFilter) resolved = xi_contact_filter_new_from_conditions ((const char * const *)split, &error);
      g_autoptr(GPtrArray) listed = NULL;
      g_autoptr(GPtrArray) wanted = g_ptr_array_new ();
      gboolean ok = FALSE;

      g_assert_no_error (error);
      XI_TEST_WAIT (xi_store_resolve_filter_async (f->store, resolved, NULL, xi_test_store_result_cb, &slot_),
                    ok = xi_store_resolve_filter_finish (f->store, result_, &error));
      g_assert_no_error (error);
      g_assert_true (ok);
      for (guint j = 0; j < everybody->len; j++)
        if (xi_contact_filter_matches (resolved, g_ptr_array_index (everybody, j)))
          g_ptr_array_add (wanted, g_ptr_array_index (everybody, j));

      listed = list_filtered (f, filter);

      g_test_message ("%s: %u contacts", conditions[i], listed->len);
      g_assert_cmpuint (wanted->len, >, 0);
      /* The same contacts, in the same order. */
      g_assert_cmpuint (listed->len, ==, wanted->len);
      for (guint j = 0; j < listed->len; j++)
        g_assert_cmpstr (xi_contact_get_id (g_ptr_array_index (listed, j)), ==,
                         xi_contact_get_id (g_ptr_array_index (wanted, j)));
    }

  missing = xi_contact_filter_new ();
  g_assert_true (xi_contact_filter_add_where (missing, "group=Nobody", NULL));
  XI_TEST_WAIT (xi_store_list_contact_keys_async (f->store, NULL, missing, NULL, xi_test_store_result_cb, &slot_),
                none = xi_store_list_contact_keys_finish (f->store, result_, &error));
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_NOT_FOUND);
  g_assert_null (none);
}

typedef struct
{
  guint position;
  guint removed;
  guint added;
} Change;

static void
record_change_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  GArray     *changes)
{
  Change change = { position, removed, added };

  g_array_append_val (changes, change);
}

/* Runs the main loop until @changes holds a change that covers
 * @position. */
/* Following XiStore::changed: an edited contact on a shown page comes
 * back changed, and a deleted one is announced as one removed row, not
 * as a new list. */
static void
test_changed_rows_reloaded (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(XiContact) second = NULL;
  g_autoptr(XiContact) edited = NULL;
  g_autoptr(XiContact) saved = NULL;
  g_autoptr(GArray) changes = g_array_new (FALSE, FALSE, sizeof (Change));
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  const char *ids[] = { NULL, NULL };
  guint removals = 0;
  guint listings;
  Change *change;

  xi_contact_list_refresh (f->list);
  wait_listed (f);
  second = wait_item (f, 1);
  id = g_strdup (xi_contact_get_id (second));

  g_signal_connect (f->list, "items-changed", G_CALLBACK (record_change_cb), changes);
  edited = xi_contact_copy (second);
  xi_contact_set_notes (edited, "pelanggan lama");
  listings = f->listings;
  XI_TEST_WAIT (xi_store_save_contact_async (f->store, edited, NULL, xi_test_store_result_cb, &slot_),
                saved = xi_store_save_contact_finish (f->store, result_, &error));
  g_assert_no_error (error);

  /* XiStore::changed starts the listing. */
  wait_listed_since (f, listings);
  /* Until the shown page is read again, its old contacts stand in. */
  {
    g_autoptr(XiContact) meanwhile = g_list_model_get_item (G_LIST_MODEL (f->list), 1);

    g_assert_true (meanwhile == second || xi_contact_get_notes (meanwhile) != NULL);
  }
  /* The row keeps its object, changed in place, so a view keeps its
   * widget (and the focus in it); nothing is announced for it. */
  {
    guint timeout = g_timeout_add_seconds (20, timed_out_cb, NULL);

    while (xi_contact_get_notes (second) == NULL)
      g_main_context_iteration (NULL, TRUE);
    g_source_remove (timeout);
  }
  {
    g_autoptr(XiContact) again = g_list_model_get_item (G_LIST_MODEL (f->list), 1);

    g_assert_cmpstr (xi_contact_get_notes (again), ==, "pelanggan lama");
    g_assert_true (again == second);
  }
  for (guint i = 0; i < changes->len; i++)
    {
      change = &g_array_index (changes, Change, i);
      g_assert_false (change->position <= 1 && 1 < change->position + change->added);
    }

  g_array_set_size (changes, 0);
  ids[0] = id;
  listings = f->listings;
  XI_TEST_WAIT (xi_store_delete_contacts_async (f->store, ids, NULL, xi_test_store_result_cb, &slot_),
                xi_store_delete_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);
  wait_listed_since (f, listings);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->list)), ==, N_CONTACTS - 1);
  /* One row went, and only that was announced besides pages read again. */
  for (guint i = 0; i < changes->len; i++)
    {
      change = &g_array_index (changes, Change, i);
      if (change->removed != change->added)
        {
          g_assert_cmpuint (change->position, ==, 1);
          g_assert_cmpuint (change->removed, ==, 1);
          g_assert_cmpuint (change->added, ==, 0);
          removals++;
        }
    }
  g_assert_cmpuint (removals, ==, 1);
  assert_name_at (f, 1, "Kontak 0003");
  g_signal_handlers_disconnect_by_func (f->list, record_change_cb, changes);
}

/* A selection acts by ids: the keys' ids come back in order without
 * the contacts, a deleted one left out; one contact reads by id; and
 * whether any contact has a status to show. */
static void
test_keys_to_ids (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(XiContact) third = NULL;
  g_autoptr(XiContact) found = NULL;
  g_autoptr(XiContact) gone = NULL;
  g_auto(GStrv) ids = NULL;
  g_auto(GStrv) fewer = NULL;
  const char *deleted[] = { NULL, NULL };
  gint64 keys[3];
  gboolean any = TRUE;
  guint n = 0;

  xi_contact_list_refresh (f->list);
  wait_listed (f);
  for (guint i = 0; i < 3; i++)
    keys[i] = xi_contact_list_get_key (f->list, i);
  third = wait_item (f, 2);

  XI_TEST_WAIT (xi_store_list_contact_ids_async (f->store, keys, 3, NULL, xi_test_store_result_cb, &slot_),
                ids = xi_store_list_contact_ids_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (ids), ==, 3);
  g_assert_cmpstr (ids[2], ==, xi_contact_get_id (third));

  XI_TEST_WAIT (xi_store_get_contact_async (f->store, ids[2], NULL, xi_test_store_result_cb, &slot_),
                found = xi_store_get_contact_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (xi_contact_get_name (found), ==, "Kontak 0003");

  XI_TEST_WAIT (xi_store_any_contact_status_async (f->store, NULL, xi_test_store_result_cb, &slot_),
                any = xi_store_any_contact_status_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_false (any);

  deleted[0] = ids[1];
  XI_TEST_WAIT (xi_store_set_opted_out_async (f->store, deleted, TRUE, NULL, xi_test_store_result_cb, &slot_),
                n = xi_store_set_opted_out_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 1);
  XI_TEST_WAIT (xi_store_any_contact_status_async (f->store, NULL, xi_test_store_result_cb, &slot_),
                any = xi_store_any_contact_status_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_true (any);

  XI_TEST_WAIT (xi_store_delete_contacts_async (f->store, deleted, NULL, xi_test_store_result_cb, &slot_),
                n = xi_store_delete_contacts_finish (f->store, result_, &error));
  g_assert_no_error (error);
  XI_TEST_WAIT (xi_store_list_contact_ids_async (f->store, keys, 3, NULL, xi_test_store_result_cb, &slot_),
                fewer = xi_store_list_contact_ids_finish (f->store, result_, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (fewer), ==, 2);
  g_assert_cmpstr (fewer[0], ==, ids[0]);
  g_assert_cmpstr (fewer[1], ==, ids[2]);

  XI_TEST_WAIT (xi_store_get_contact_async (f->store, ids[1], NULL, xi_test_store_result_cb, &slot_),
                gone = xi_store_get_contact_finish (f->store, result_, &error));
  g_assert_error (error, XI_STORE_ERROR, XI_STORE_ERROR_NOT_FOUND);
  g_assert_null (gone);
  wait_listed (f);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/xi/contact-list/order-and-placeholders", Fixture, NULL, fixture_setup,
              test_order_and_placeholders, fixture_teardown);
  g_test_add ("/xi/contact-list/cache-bounded", Fixture, NULL, fixture_setup,
              test_cache_bounded, fixture_teardown);
  g_test_add ("/xi/contact-list/query", Fixture, NULL, fixture_setup, test_query, fixture_teardown);
  g_test_add ("/xi/contact-list/clear", Fixture, NULL, fixture_setup, test_clear, fixture_teardown);
  g_test_add ("/xi/contact-list/field-conditions-agree", Fixture, NULL, fixture_setup,
              test_field_conditions_agree, fixture_teardown);
  g_test_add ("/xi/contact-list/group-conditions-agree", Fixture, NULL, fixture_setup,
              test_group_conditions_agree, fixture_teardown);
  g_test_add ("/xi/contact-list/keys-to-ids", Fixture, NULL, fixture_setup, test_keys_to_ids, fixture_teardown);
  g_test_add ("/xi/contact-list/changed-rows-reloaded", Fixture, NULL, fixture_setup,
              test_changed_rows_reloaded, fixture_teardown);

  return g_test_run ();
}
