/* test-wa-key-store.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "wa-key-store.h"

static void
assert_value (WaKeyStore *store,
              const char *kind,
              const char *key,
              const char *expected)
{
  g_autoptr(GBytes) value = wa_key_store_load (store, kind, key);

  if (expected == NULL)
    {
      g_assert_null (value);
      return;
    }
  g_assert_nonnull (value);
  g_assert_cmpmem (g_bytes_get_data (value, NULL), g_bytes_get_size (value), expected, strlen (expected));
}

/* Kinds are namespaces of their own, even when one's name starts with
 * another's; a saved value is the store's own copy. */
static void
test_memory (void)
{
  g_autoptr(WaKeyStore) store = wa_memory_key_store_new ();
  g_autoptr(GPtrArray) prekeys = NULL;
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(GPtrArray) after_clear = NULL;
  char buffer[] = "secret";
  g_autoptr(GBytes) wiped = g_bytes_new_static (buffer, strlen (buffer));

  wa_key_store_save (store, "pre", "1", wiped);
  memset (buffer, 'x', strlen (buffer));
  g_clear_pointer (&wiped, g_bytes_unref);
  wiped = g_bytes_new_static ("one", 3);
  wa_key_store_save (store, "prekey", "1", wiped);
  g_clear_pointer (&wiped, g_bytes_unref);
  wiped = g_bytes_new_static ("two", 3);
  wa_key_store_save (store, "prekey", "2", wiped);
  wa_key_store_save (store, "session", "1", wiped);

  assert_value (store, "pre", "1", "secret");
  assert_value (store, "prekey", "1", "one");
  assert_value (store, "prekey", "2", "two");
  assert_value (store, "session", "1", "two");
  assert_value (store, "session", "2", NULL);
  assert_value (store, "identity", "1", NULL);

  prekeys = wa_key_store_list (store, "prekey");
  g_assert_cmpuint (prekeys->len, ==, 2);
  g_assert_true (g_ptr_array_find_with_equal_func (prekeys, "1", g_str_equal, NULL));
  g_assert_true (g_ptr_array_find_with_equal_func (prekeys, "2", g_str_equal, NULL));
  none = wa_key_store_list (store, "identity");
  g_assert_cmpuint (none->len, ==, 0);

  wa_key_store_remove (store, "prekey", "1");
  wa_key_store_remove (store, "identity", "1");
  assert_value (store, "prekey", "1", NULL);
  assert_value (store, "pre", "1", "secret");
  sessions = wa_key_store_list (store, "session");
  g_assert_cmpuint (sessions->len, ==, 1);

  wa_key_store_clear (store);
  assert_value (store, "pre", "1", NULL);
  assert_value (store, "session", "1", NULL);
  after_clear = wa_key_store_list (store, "prekey");
  g_assert_cmpuint (after_clear->len, ==, 0);
  wa_key_store_save (store, "prekey", "3", wiped);
  assert_value (store, "prekey", "3", "two");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wa/key-store/memory", test_memory);

  return g_test_run ();
}
