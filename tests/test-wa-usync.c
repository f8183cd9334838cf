/* test-wa-usync.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "wa-error.h"
#include "wa-usync.h"

static WaNode *
text_node (const char *tag,
           const char *text)
{
  WaNode *node = wa_node_new (tag);

  wa_node_set_content_data (node, (const guint8 *) text, strlen (text));
  return node;
}

static WaNode *
answer_with (WaNode *first_user,
             ...)
{
  WaNode *iq = wa_node_new_with_attrs ("iq", "type", "result", "from", "@s.whatsapp.net", "id", "1", NULL);
  WaNode *usync = wa_node_add_child (iq, wa_node_new ("usync"));
  WaNode *list = wa_node_add_child (usync, wa_node_new ("list"));
  va_list ap;

  va_start (ap, first_user);
  for (WaNode *user = first_user; user != NULL; user = va_arg (ap, WaNode *))
    wa_node_add_child (list, user);
  va_end (ap);
  return iq;
}

/* §9: a contact query names each number with a plus, and asks for LIDs. */
static void
test_contacts_request (void)
{
  const char *phones[] = { "6281234567890", "6285700000001", NULL };
  g_autoptr(WaNode) iq = wa_usync_contacts_request (phones);
  WaNode *usync = wa_node_get_child_by_tag (iq, "usync");
  g_autoptr(GPtrArray) users = wa_node_get_children_by_tag (wa_node_get_child_by_tag (usync, "list"), "user");
  GBytes *number;

  g_assert_cmpstr (wa_node_get_attr (iq, "xmlns"), ==, "usync");
  g_assert_cmpstr (wa_node_get_attr (iq, "type"), ==, "get");
  g_assert_cmpstr (wa_node_get_attr (usync, "context"), ==, "interactive");
  g_assert_cmpstr (wa_node_get_attr (usync, "mode"), ==, "query");
  g_assert_nonnull (wa_node_get_attr (usync, "sid"));
  g_assert_nonnull (wa_node_get_child_by_tag (wa_node_get_child_by_tag (usync, "query"), "contact"));
  g_assert_cmpuint (users->len, ==, 2);
  number = wa_node_get_content_bytes (wa_node_get_child_by_tag (g_ptr_array_index (users, 1), "contact"));
  g_assert_cmpmem (g_bytes_get_data (number, NULL), g_bytes_get_size (number), "+6285700000001", 14);
}

static void
test_contacts_answer (void)
{
  WaNode *in = wa_node_new_with_attrs ("user", "jid", "6281234567890@s.whatsapp.net", NULL);
  WaNode *out = wa_node_new_with_attrs ("user", "jid", "6289999999999@s.whatsapp.net", NULL);
  WaNode *garbled = wa_node_new ("user");
  g_autoptr(WaNode) answer = NULL;
  g_autoptr(GPtrArray) checks = NULL;
  g_autoptr(GError) error = NULL;
  WaContactCheck *check;

  wa_node_add_child (in, text_node ("contact", "+6281234567890"));
  wa_node_set_attr (wa_node_get_child_by_tag (in, "contact"), "type", "in");
  wa_node_add_child (in, wa_node_new_with_attrs ("lid", "val", "236395184570386@lid", NULL));
  wa_node_add_child (out, text_node ("contact", "+6289999999999@c.us"));
  wa_node_set_attr (wa_node_get_child_by_tag (out, "contact"), "type", "out");
  wa_node_add_child (garbled, text_node ("contact", "+62 12x"));
  answer = answer_with (in, out, garbled, NULL);

  checks = wa_usync_parse_contacts (answer, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (checks->len, ==, 2);
  check = g_ptr_array_index (checks, 0);
  g_assert_cmpstr (check->phone, ==, "6281234567890");
  g_assert_true (check->on_whatsapp);
  g_assert_cmpstr (check->jid, ==, "6281234567890@s.whatsapp.net");
  g_assert_cmpstr (check->lid, ==, "236395184570386@lid");
  check = g_ptr_array_index (checks, 1);
  g_assert_cmpstr (check->phone, ==, "6289999999999");
  g_assert_false (check->on_whatsapp);
  g_assert_null (check->jid);
  g_assert_null (check->lid);
}

/* A number the server says is on WhatsApp under an address that is not
 * a number's, or a LID that is not one, is on WhatsApp all the same, but
 * neither is handed on (found by fuzz-wa-replies). */
static void
test_contacts_bad_addresses (void)
{
  WaNode *garbled = wa_node_new_with_attrs ("user", "jid", "62812345\xca\xc8whatsapp.net", NULL);
  WaNode *swapped = wa_node_new_with_attrs ("user", "jid", "236395184570386@lid", NULL);
  g_autoptr(WaNode) answer = NULL;
  g_autoptr(GPtrArray) checks = NULL;
  g_autoptr(GError) error = NULL;

  wa_node_add_child (garbled, text_node ("contact", "+6281234567890"));
  wa_node_set_attr (wa_node_get_child_by_tag (garbled, "contact"), "type", "in");
  wa_node_add_child (garbled, wa_node_new_with_attrs ("lid", "val", "2363951845\xed\xbf@lid", NULL));
  wa_node_add_child (swapped, text_node ("contact", "+6281234567891"));
  wa_node_set_attr (wa_node_get_child_by_tag (swapped, "contact"), "type", "in");
  wa_node_add_child (swapped, wa_node_new_with_attrs ("lid", "val", "6281234567891@s.whatsapp.net", NULL));
  answer = answer_with (garbled, swapped, NULL);

  checks = wa_usync_parse_contacts (answer, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (checks->len, ==, 2);
  for (guint i = 0; i < checks->len; i++)
    {
      WaContactCheck *check = g_ptr_array_index (checks, i);

      g_assert_true (check->on_whatsapp);
      g_assert_null (check->jid);
      g_assert_null (check->lid);
    }
}

/* §7.2: every device but the phone must carry a key index. */
static void
test_devices (void)
{
  const char *users[] = { "6281234567890@s.whatsapp.net", NULL };
  g_autoptr(WaNode) iq = wa_usync_devices_request (users);
  WaNode *usync = wa_node_get_child_by_tag (iq, "usync");
  WaNode *user = wa_node_new_with_attrs ("user", "jid", "6281234567890@s.whatsapp.net", NULL);
  WaNode *list = wa_node_add_child (wa_node_add_child (user, wa_node_new ("devices")), wa_node_new ("device-list"));
  g_autoptr(WaNode) answer = NULL;
  g_autoptr(GPtrArray) devices = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (wa_node_get_attr (usync, "context"), ==, "message");
  g_assert_cmpstr (wa_node_get_attr (wa_node_get_child_by_tag (wa_node_get_child_by_tag (usync, "query"), "devices"),
                                     "version"), ==, "2");

  wa_node_add_children (list, wa_node_new_with_attrs ("device", "id", "0", NULL),
                        wa_node_new_with_attrs ("device", "id", "3", "key-index", "2", NULL),
                        wa_node_new_with_attrs ("device", "id", "7", NULL),
                        wa_node_new_with_attrs ("device", "id", "many", "key-index", "1", NULL), NULL);
  answer = answer_with (user, NULL);
  devices = wa_usync_parse_devices (answer, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (devices->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (devices, 0), ==, "6281234567890@s.whatsapp.net");
  g_assert_cmpstr (g_ptr_array_index (devices, 1), ==, "6281234567890:3@s.whatsapp.net");
}

/* A server that lists an account with 10,000 devices, most of them
 * twice, some with numbers no address can carry: each device once, and
 * no more than an account can have. */
static void
test_devices_bounded (void)
{
  WaNode *user = wa_node_new_with_attrs ("user", "jid", "6281234567890@s.whatsapp.net", NULL);
  WaNode *list = wa_node_add_child (wa_node_add_child (user, wa_node_new ("devices")), wa_node_new ("device-list"));
  g_autoptr(WaNode) answer = NULL;
  g_autoptr(GPtrArray) devices = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 10000; i++)
    {
      g_autofree char *id = g_strdup_printf ("%u", i % 2 == 0 ? 1 : i < 9 ? 300 + i : i);

      wa_node_add_child (list, wa_node_new_with_attrs ("device", "id", id, "key-index", "1", NULL));
    }
  answer = answer_with (user, NULL);
  devices = wa_usync_parse_devices (answer, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (devices->len, ==, WA_USYNC_MAX_DEVICES);
  for (guint i = 0; i < devices->len; i++)
    g_assert_true (g_hash_table_add (seen, g_ptr_array_index (devices, i)));
  g_assert_cmpstr (g_ptr_array_index (devices, 0), ==, "6281234567890:1@s.whatsapp.net");
  g_assert_cmpstr (g_ptr_array_index (devices, 1), ==, "6281234567890:9@s.whatsapp.net");
}

/* Devices are listed only for a person's account, on WhatsApp's user
 * servers with a number of digits: the server's other names would make
 * device addresses that do not read back (found by fuzz-wa-replies). */
static void
test_devices_of_users_only (void)
{
  const char *accounts[] = {
    "6281234567891@s.wh/atsapp.net", "62812x4567892@s.whatsapp.net", "120363000000000000@g.us",
    "6281234567893@s.whatsapp.net",
  };
  g_autoptr(WaNode) answer = answer_with (NULL, NULL);
  WaNode *list = wa_node_get_child_by_tag (wa_node_get_child_by_tag (answer, "usync"), "list");
  g_autoptr(GPtrArray) devices = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (accounts); i++)
    {
      WaNode *user = wa_node_add_child (list, wa_node_new_with_attrs ("user", "jid", accounts[i], NULL));
      WaNode *device_list = wa_node_add_child (wa_node_add_child (user, wa_node_new ("devices")),
                                               wa_node_new ("device-list"));

      wa_node_add_child (device_list, wa_node_new_with_attrs ("device", "id", "0", NULL));
    }
  devices = wa_usync_parse_devices (answer, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (devices->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (devices, 0), ==, "6281234567893@s.whatsapp.net");
}

/* An answer whose users, devices or LIDs lack the attribute naming them
 * is read without a critical warning, those entries left out (found by
 * fuzz-wa-replies, whose warnings are fatal as the tests' are). */
static void
test_missing_attributes (void)
{
  WaNode *nameless = wa_node_new ("user");
  WaNode *listed = wa_node_new_with_attrs ("user", "jid", "6281234567890@s.whatsapp.net", NULL);
  WaNode *list = wa_node_add_child (wa_node_add_child (listed, wa_node_new ("devices")), wa_node_new ("device-list"));
  g_autoptr(WaNode) answer = NULL;
  g_autoptr(GPtrArray) devices = NULL;
  g_autoptr(GHashTable) lids = NULL;
  g_autoptr(GError) error = NULL;

  wa_node_add_child (nameless, wa_node_new ("lid"));
  wa_node_add_child (listed, wa_node_new ("lid"));
  wa_node_add_children (list, wa_node_new ("device"), wa_node_new_with_attrs ("device", "id", "0", NULL), NULL);
  answer = answer_with (nameless, listed, NULL);

  devices = wa_usync_parse_devices (answer, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (devices->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (devices, 0), ==, "6281234567890@s.whatsapp.net");
  lids = wa_usync_parse_lids (answer);
  g_assert_cmpuint (g_hash_table_size (lids), ==, 0);
}

static void
test_malformed_answer (void)
{
  g_autoptr(WaNode) answer = wa_node_new_with_attrs ("iq", "type", "result", NULL);
  g_autoptr(GPtrArray) checks = NULL;
  g_autoptr(GError) error = NULL;

  checks = wa_usync_parse_contacts (answer, &error);
  g_assert_null (checks);
  g_assert_error (error, WA_ERROR, WA_ERROR_MALFORMED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wa/usync/contacts-request", test_contacts_request);
  g_test_add_func ("/wa/usync/contacts-answer", test_contacts_answer);
  g_test_add_func ("/wa/usync/contacts-bad-addresses", test_contacts_bad_addresses);
  g_test_add_func ("/wa/usync/devices", test_devices);
  g_test_add_func ("/wa/usync/devices-bounded", test_devices_bounded);
  g_test_add_func ("/wa/usync/devices-of-users-only", test_devices_of_users_only);
  g_test_add_func ("/wa/usync/missing-attributes", test_missing_attributes);
  g_test_add_func ("/wa/usync/malformed-answer", test_malformed_answer);
  return g_test_run ();
}
