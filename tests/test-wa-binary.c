/* test-wa-binary.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <zlib.h>

#include "wa-binary.h"
#include "wa-error.h"
#include "wa-tokens.h"
#include "xi-test-utils.h"

/* The vectors of WA-PROTOCOL.md Appendix A.1, flag byte included. */

static WaNode *
server_iq (const char *id,
           const char *xmlns)
{
  WaNode *iq = wa_node_new ("iq");
  g_autoptr(WaJid) server = wa_jid_new (NULL, WA_SERVER_PN);

  wa_node_set_attr (iq, "id", id);
  wa_node_set_attr (iq, "xmlns", xmlns);
  wa_node_set_attr (iq, "type", "get");
  wa_node_set_attr_jid (iq, "to", server);
  return iq;
}

static WaNode *
vector_node (guint index)
{
  switch (index)
    {
    case 0:
      return server_iq ("123.45-1", "w:p");
    case 1:
      {
        WaNode *iq = server_iq ("123.45-2", "encrypt");
        wa_node_add_child (iq, wa_node_new ("count"));
        return iq;
      }
    case 2:
      {
        WaNode *ack = wa_node_new ("ack");
        g_autoptr(WaJid) to = wa_jid_new_device ("15551234567", WA_SERVER_PN, 1);

        wa_node_set_attr (ack, "class", "receipt");
        wa_node_set_attr (ack, "id", "2204545668");
        wa_node_set_attr_jid (ack, "to", to);
        return ack;
      }
    case 3:
      {
        WaNode *message = wa_node_new ("message");
        WaNode *participants = wa_node_new ("participants");
        WaNode *to = wa_node_new ("to");
        WaNode *enc = wa_node_new ("enc");
        g_autoptr(WaJid) user = wa_jid_new ("15551234567", WA_SERVER_PN);
        g_autoptr(WaJid) device = wa_jid_new_device ("15551234567", WA_SERVER_PN, 2);
        g_autoptr(GBytes) ciphertext = g_bytes_new ("\x33", 1);

        wa_node_set_attr (message, "id", "3EB0C767D26A1D8A4B26E1");
        wa_node_set_attr (message, "type", "text");
        wa_node_set_attr_jid (message, "to", user);
        wa_node_set_attr_jid (to, "jid", device);
        wa_node_set_attr (enc, "v", "2");
        wa_node_set_attr (enc, "type", "msg");
        wa_node_set_content (enc, ciphertext);
        wa_node_add_child (to, enc);
        wa_node_add_child (participants, to);
        wa_node_add_child (message, participants);
        return message;
      }
    case 4:
    default:
      return wa_node_new ("xmlstreamend");
    }
}

static const char * const vectors[] = {
  "00f8091908ff04123b45a11657042911fa0003",
  "00f80a1908ff04123b45a216cb042911fa0003f801f80141",
  "00f8071b150708ff05220454566811f70001ff8615551234567f",
  "00f8081308fb0b3eb0c767d26a1d8a4b26e1043811faff8615551234567f03f801f8026bf801f804110cf70002ff8615551234567ff801f8061d5145044dfc0133",
  "00f80102",
};

static void
test_vectors (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (vectors); i++)
    {
      g_autoptr(WaNode) node = vector_node (i);
      g_autoptr(GBytes) expected = xi_test_bytes_from_hex (vectors[i]);
      g_autoptr(GBytes) encoded = wa_binary_encode (node);
      g_autoptr(WaNode) decoded = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *hex = xi_test_hex (g_bytes_get_data (encoded, NULL), g_bytes_get_size (encoded));
      gsize len;
      const guint8 *data = g_bytes_get_data (expected, &len);

      g_test_message ("vector %u", i);
      g_assert_cmpstr (hex, ==, vectors[i] + 2);

      decoded = wa_binary_unpack_frame (data, len, &error);
      g_assert_no_error (error);
      g_assert_true (wa_node_equal (decoded, node));
    }
}

static void
test_decoded_types (void)
{
  g_autoptr(GBytes) frame = xi_test_bytes_from_hex (vectors[3]);
  g_autoptr(WaNode) node = wa_binary_unpack_frame (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), NULL);
  g_autoptr(WaJid) to = wa_node_get_attr_jid (node, "to");
  WaNode *enc = wa_node_get_child (wa_node_get_child (wa_node_get_child (node, "participants"), "to"), "enc");
  g_autoptr(WaJid) device = wa_jid_parse ("15551234567:2@s.whatsapp.net", NULL);
  g_autoptr(WaJid) jid = wa_node_get_attr_jid (wa_node_get_child (wa_node_get_child (node, "participants"), "to"), "jid");

  g_assert_cmpstr (wa_jid_get_user (to), ==, "15551234567");
  g_assert_cmpuint (wa_jid_get_device (to), ==, 0);
  g_assert_true (wa_jid_equal (jid, device));
  g_assert_cmpstr (wa_node_get_attr (node, "id"), ==, "3EB0C767D26A1D8A4B26E1");
  g_assert_cmpuint (g_bytes_get_size (wa_node_get_content (enc)), ==, 1);
}

static void
test_packing (void)
{
  const char *strings[] = {
    "1", "12", "123.45-6", "0123456789", "ABCDEF0123", "3EB0C767D26A1D8A4B26E1",
    "abc", "3eb0c7", "12 34", "", "x",
  };
  g_autofree char *long_digits = g_strnfill (127, '7');
  g_autofree char *longer_digits = g_strnfill (128, '7');

  for (guint i = 0; i < G_N_ELEMENTS (strings) + 2; i++)
    {
      const char *s = i < G_N_ELEMENTS (strings) ? strings[i] : i == G_N_ELEMENTS (strings) ? long_digits : longer_digits;
      g_autoptr(WaNode) node = wa_node_new ("n");
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(WaNode) back = NULL;
      g_autoptr(GError) error = NULL;

      wa_node_set_attr (node, "v", s);
      bytes = wa_binary_encode (node);
      back = wa_binary_decode (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
      g_assert_no_error (error);
      g_assert_cmpstr (wa_node_get_attr (back, "v"), ==, s);
    }
}

static void
test_jids (void)
{
  const struct { const char *in; const char *user; const char *server; guint device; const char *address; } table[] = {
    { "15551234567@s.whatsapp.net", "15551234567", "s.whatsapp.net", 0, "15551234567.0" },
    { "1555:3@s.whatsapp.net", "1555", "s.whatsapp.net", 3, "1555.3" },
    { "236395184570386:77@lid", "236395184570386", "lid", 77, "236395184570386_1.77" },
    { "@s.whatsapp.net", "", "s.whatsapp.net", 0, ".0" },
    { "123-456@g.us", "123-456", "g.us", 0, "123-456.0" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(WaJid) jid = wa_jid_parse (table[i].in, &error);
      g_autofree char *text = NULL;
      g_autofree char *address = NULL;
      g_autoptr(WaNode) node = wa_node_new ("x");
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(WaNode) back = NULL;
      g_autoptr(WaJid) back_jid = NULL;

      g_assert_no_error (error);
      g_assert_cmpstr (wa_jid_get_user (jid), ==, table[i].user);
      g_assert_cmpstr (wa_jid_get_server (jid), ==, table[i].server);
      g_assert_cmpuint (wa_jid_get_device (jid), ==, table[i].device);
      text = wa_jid_to_string (jid);
      g_assert_cmpstr (text, ==, table[i].in);
      address = wa_jid_signal_address (jid);
      g_assert_cmpstr (address, ==, table[i].address);

      wa_node_set_attr_jid (node, "jid", jid);
      bytes = wa_binary_encode (node);
      back = wa_binary_decode (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL);
      back_jid = wa_node_get_attr_jid (back, "jid");
      g_assert_true (wa_jid_equal (back_jid, jid));
    }

  g_assert_null (wa_jid_parse ("no-server", NULL));
  g_assert_null (wa_jid_parse ("1:x@s.whatsapp.net", NULL));
}

static void
test_compressed (void)
{
  g_autoptr(WaNode) node = vector_node (3);
  g_autoptr(GBytes) plain = wa_binary_encode (node);
  uLongf size = compressBound (g_bytes_get_size (plain));
  g_autofree guint8 *frame = g_malloc (size + 1);
  g_autoptr(WaNode) back = NULL;
  g_autoptr(GError) error = NULL;

  frame[0] = 0x02;
  g_assert_cmpint (compress (frame + 1, &size, g_bytes_get_data (plain, NULL), g_bytes_get_size (plain)), ==, Z_OK);
  back = wa_binary_unpack_frame (frame, size + 1, &error);
  g_assert_no_error (error);
  g_assert_true (wa_node_equal (back, node));

  frame[size / 2] ^= 0xff;
  g_clear_pointer (&back, wa_node_unref);
  back = wa_binary_unpack_frame (frame, size + 1, &error);
  g_assert_null (back);
  g_assert_nonnull (error);
}

static WaNode *
random_node (GRand *rand,
             guint  depth)
{
  static const char *tags[] = { "iq", "message", "x", "receipt", "enc", "3EB0", "a-b" };
  g_autoptr(WaNode) node = wa_node_new (tags[g_rand_int_range (rand, 0, G_N_ELEMENTS (tags))]);
  guint n_attrs = g_rand_int_range (rand, 0, 4);

  for (guint i = 0; i < n_attrs; i++)
    {
      g_autofree char *key = g_strdup_printf ("k%u", i);

      if (g_rand_boolean (rand))
        {
          g_autofree char *user = g_strdup_printf ("%u", g_rand_int (rand));
          g_autoptr(WaJid) jid = wa_jid_new_device (user, g_rand_boolean (rand) ? WA_SERVER_PN : WA_SERVER_LID,
                                                    g_rand_int_range (rand, 0, 100));
          wa_node_set_attr_jid (node, key, jid);
        }
      else
        {
          g_autofree char *value = g_strdup_printf ("v%d-%x", g_rand_int (rand), g_rand_int (rand));
          wa_node_set_attr (node, key, value);
        }
    }

  if (depth < 4 && g_rand_boolean (rand))
    {
      guint n = g_rand_int_range (rand, 0, 4);

      for (guint i = 0; i < n; i++)
        wa_node_add_child (node, random_node (rand, depth + 1));
    }
  else if (g_rand_boolean (rand))
    {
      gsize len = g_rand_boolean (rand) ? g_rand_int_range (rand, 0, 300) : g_rand_int_range (rand, 0, 70000);
      guint8 *data = g_malloc (len + 1);
      g_autoptr(GBytes) content = NULL;

      for (gsize i = 0; i < len; i++)
        data[i] = g_rand_int (rand);
      content = g_bytes_new_take (data, len);
      wa_node_set_content (node, content);
    }

  return g_steal_pointer (&node);
}

static void
test_roundtrip_random (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (1234);

  for (guint i = 0; i < 300; i++)
    {
      g_autoptr(WaNode) node = random_node (rand, 0);
      g_autoptr(GBytes) bytes = wa_binary_encode (node);
      g_autoptr(GError) error = NULL;
      g_autoptr(WaNode) back = wa_binary_decode (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);

      g_assert_no_error (error);
      g_assert_true (wa_node_equal (back, node));
    }
}

/* Every prefix of a valid frame is an error, never a crash or a node. */
static void
test_truncated (void)
{
  for (guint v = 0; v < G_N_ELEMENTS (vectors); v++)
    {
      g_autoptr(GBytes) frame = xi_test_bytes_from_hex (vectors[v]);
      gsize len;
      const guint8 *data = g_bytes_get_data (frame, &len);

      for (gsize cut = 0; cut < len; cut++)
        {
          g_autofree guint8 *copy = g_memdup2 (data, cut);
          g_autoptr(GError) error = NULL;
          g_autoptr(WaNode) node = wa_binary_unpack_frame (copy, cut, &error);

          g_assert_null (node);
          g_assert_error (error, WA_ERROR, WA_ERROR_TRUNCATED);
        }
    }
}

/* Random bytes and mutated frames: errors are fine, crashes are not. */
static void
test_garbage (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (99);
  guint decoded = 0;

  for (guint i = 0; i < 20000; i++)
    {
      g_autoptr(GBytes) frame = xi_test_bytes_from_hex (vectors[i % G_N_ELEMENTS (vectors)]);
      gsize len = g_bytes_get_size (frame);
      g_autofree guint8 *data = g_memdup2 (g_bytes_get_data (frame, NULL), len);
      g_autoptr(WaNode) node = NULL;

      if (i % 2 == 0)
        for (gsize k = 0; k < len; k++)
          data[k] = g_rand_int (rand);
      else
        data[g_rand_int_range (rand, 1, len)] ^= 1 << g_rand_int_range (rand, 0, 8);
      data[0] &= ~0x02;

      node = wa_binary_unpack_frame (data, len, NULL);
      decoded += node != NULL;
    }
  g_test_message ("%u of 20000 damaged frames still decoded", decoded);
}

static void
test_tokens (void)
{
  int dictionary;
  guint index;

  g_assert_cmpstr (wa_tokens_get_single (3), ==, "s.whatsapp.net");
  g_assert_cmpstr (wa_tokens_get_double (0, 0), ==, "read-self");
  g_assert_null (wa_tokens_get_single (0));
  g_assert_null (wa_tokens_get_single (236));
  g_assert_true (wa_tokens_lookup ("iq", &dictionary, &index));
  g_assert_cmpint (dictionary, ==, -1);
  g_assert_cmpuint (index, ==, 0x19);
  g_assert_true (wa_tokens_lookup ("read-self", &dictionary, &index));
  g_assert_cmpint (dictionary, ==, 0);
  g_assert_cmpuint (index, ==, 0);
  g_assert_false (wa_tokens_lookup ("", &dictionary, &index));
  g_assert_false (wa_tokens_lookup ("not a token", &dictionary, &index));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wa/binary/vectors", test_vectors);
  g_test_add_func ("/wa/binary/decoded-types", test_decoded_types);
  g_test_add_func ("/wa/binary/packing", test_packing);
  g_test_add_func ("/wa/binary/jids", test_jids);
  g_test_add_func ("/wa/binary/compressed", test_compressed);
  g_test_add_func ("/wa/binary/roundtrip-random", test_roundtrip_random);
  g_test_add_func ("/wa/binary/truncated", test_truncated);
  g_test_add_func ("/wa/binary/garbage", test_garbage);
  g_test_add_func ("/wa/tokens", test_tokens);

  return g_test_run ();
}
