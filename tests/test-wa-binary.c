/* test-wa-binary.c
 *
 * Copyright 2026 The Xender-In Authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <zlib.h>

#include "wa-binary.h"
#include "wa-error.h"
#include "wa-tokens.h"
#include "xi-test-utils.h"

/* Fixed, so a failure reproduces; printed with --verbose. */
#define RANDOM_SEED 0x5eed2026

/* Helpers */

/* Hex to bytes, ignoring spaces so vectors can be grouped for reading. */
static GBytes *
hex_bytes (const char *hex)
{
  g_autoptr(GString) compact = g_string_new (NULL);

  for (const char *p = hex; *p != '\0'; p++)
    if (*p != ' ')
      g_string_append_c (compact, *p);
  return xi_test_bytes_from_hex (compact->str);
}

static char *
bytes_hex (GBytes *bytes)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  return xi_test_hex (data, len);
}

static void
assert_bytes_hex (GBytes     *bytes,
                  const char *expected_hex)
{
  g_autoptr(GBytes) expected = hex_bytes (expected_hex);
  g_autofree char *got = bytes_hex (bytes);
  g_autofree char *want = bytes_hex (expected);

  g_assert_cmpstr (got, ==, want);
}

static WaNode *
decode_hex (const char  *hex,
            GError     **error)
{
  g_autoptr(GBytes) bytes = hex_bytes (hex);

  return wa_binary_decode (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), error);
}

static char *
full_string (WaNode *node)
{
  return wa_node_to_debug_string (node, WA_NODE_DEBUG_FULL);
}

/* Whatever decoded must encode, decode back to the same tree and encode to
 * the same bytes: the codec's fixed point after one pass. */
static void
assert_stable (WaNode *node)
{
  g_autoptr(GBytes) bytes = wa_binary_encode (node);
  g_autoptr(GBytes) again = NULL;
  g_autoptr(WaNode) decoded = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (bytes);
  decoded = wa_binary_decode (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
  g_assert_true (wa_node_equal (node, decoded));
  again = wa_binary_encode (decoded);
  g_assert_true (g_bytes_equal (bytes, again));
}

/* The vectors of WA-PROTOCOL.md Appendix A.1 */

typedef struct
{
  const char *notation;   /* the protocol notes' own rendering */
  const char *hex;        /* frame plaintext, flag byte included */
} Vector;

static const Vector vectors[] = {
  { "<iq id=\"123.45-1\" xmlns=\"w:p\" type=\"get\" to=@s.whatsapp.net/>",
    "00f8091908ff04123b45a11657042911fa0003" },
  { "<iq id=\"123.45-2\" xmlns=\"encrypt\" type=\"get\" to=@s.whatsapp.net><count/></iq>",
    "00f80a1908ff04123b45a216cb042911fa0003f801f80141" },
  { "<ack class=\"receipt\" id=\"2204545668\" to=15551234567:1@s.whatsapp.net/>",
    "00f8071b150708ff05220454566811f70001ff8615551234567f" },
  { "<message id=\"3EB0C767D26A1D8A4B26E1\" type=\"text\" to=15551234567@s.whatsapp.net>"
    "<participants><to jid=15551234567:2@s.whatsapp.net><enc v=\"2\" type=\"msg\">33</enc></to>"
    "</participants></message>",
    "00f8081308fb0b3eb0c767d26a1d8a4b26e1043811faff8615551234567f03f801f8026bf801f804110cf7"
    "0002ff8615551234567ff801f8061d5145044dfc0133" },
  { "<xmlstreamend/>",
    "00f80102" },
};

static WaNode *
server_iq (const char *id,
           const char *xmlns)
{
  g_autoptr(WaJid) server = wa_jid_new_server ();
  WaNode *iq = wa_node_new_with_attrs ("iq", "id", id, "xmlns", xmlns, "type", "get", NULL);

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
        WaNode *ack = wa_node_new_with_attrs ("ack", "class", "receipt", "id", "2204545668", NULL);
        g_autoptr(WaJid) to = wa_jid_parse ("15551234567:1@s.whatsapp.net", NULL);

        wa_node_set_attr_jid (ack, "to", to);
        return ack;
      }

    case 3:
      {
        WaNode *message = wa_node_new_with_attrs ("message",
                                                  "id", "3EB0C767D26A1D8A4B26E1",
                                                  "type", "text",
                                                  NULL);
        g_autoptr(WaJid) user = wa_jid_new_pn_user ("+15551234567", NULL);
        g_autoptr(WaJid) device = wa_jid_to_device (user, 2, NULL);
        WaNode *participants;
        WaNode *to;
        WaNode *enc;

        wa_node_set_attr_jid (message, "to", user);
        participants = wa_node_add_child (message, wa_node_new ("participants"));
        to = wa_node_add_child (participants, wa_node_new ("to"));
        wa_node_set_attr_jid (to, "jid", device);
        enc = wa_node_add_child (to, wa_node_new_with_attrs ("enc", "v", "2", "type", "msg", NULL));
        wa_node_set_content_data (enc, (const guint8 *)"\x33", 1);
        return message;
      }

    case 4:
    default:
      return wa_node_new ("xmlstreamend");
    }
}

static void
test_vectors (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (vectors); i++)
    {
      g_autoptr(WaNode) node = vector_node (i);
      g_autoptr(GBytes) frame = wa_binary_pack_frame (node);
      g_autoptr(GBytes) payload = wa_binary_encode (node);
      g_autoptr(GBytes) wire = hex_bytes (vectors[i].hex);
      g_autoptr(WaNode) decoded = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *rendered = full_string (node);
      g_autofree char *rendered_decoded = NULL;

      g_test_message ("vector %u: %s", i, vectors[i].notation);

      /* Our tree is the one the notes describe... */
      g_assert_cmpstr (rendered, ==, vectors[i].notation);

      /* ...it encodes to their bytes, with and without the flag... */
      assert_bytes_hex (frame, vectors[i].hex);
      assert_bytes_hex (payload, vectors[i].hex + 2);

      /* ...and their bytes decode to it, JID typing included. */
      decoded = wa_binary_unpack_frame (g_bytes_get_data (wire, NULL), g_bytes_get_size (wire),
                                        &error);
      g_assert_no_error (error);
      g_assert_true (wa_node_equal (node, decoded));
      rendered_decoded = full_string (decoded);
      g_assert_cmpstr (rendered_decoded, ==, vectors[i].notation);
    }
}

static void
test_decoded_types (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WaNode) ping = decode_hex (vectors[0].hex + 2, &error);
  g_autoptr(WaNode) message = decode_hex (vectors[3].hex + 2, NULL);
  g_autoptr(WaJid) to = NULL;
  g_autoptr(WaJid) as_text = NULL;
  WaNode *participant;
  WaNode *enc;
  GBytes *ciphertext;

  g_assert_no_error (error);
  g_assert_cmpstr (wa_node_get_tag (ping), ==, "iq");
  g_assert_cmpuint (wa_node_get_n_attrs (ping), ==, 4);
  g_assert_cmpstr (wa_node_get_attr_key (ping, 0), ==, "id");
  g_assert_null (wa_node_peek_attr_jid (ping, 0));
  g_assert_nonnull (wa_node_peek_attr_jid (ping, 3));
  g_assert_cmpstr (wa_node_get_attr (ping, "to"), ==, "@s.whatsapp.net");
  to = wa_node_get_attr_jid (ping, "to");
  g_assert_true (wa_jid_is_server (to));
  g_assert_cmpint (wa_node_get_content_type (ping), ==, WA_NODE_CONTENT_NONE);
  g_assert_null (wa_node_get_children (ping));

  /* A text attribute that is not a JID has no JID form. */
  as_text = wa_node_get_attr_jid (ping, "id");
  g_assert_null (as_text);

  participant = wa_node_get_child_by_tag (wa_node_get_child_by_tag (message, "participants"), "to");
  g_assert_nonnull (participant);
  g_assert_cmpuint (wa_jid_get_device (wa_node_peek_attr_jid (participant, 0)), ==, 2);
  enc = wa_node_get_child_by_tag (participant, "enc");
  g_assert_cmpint (wa_node_get_content_type (enc), ==, WA_NODE_CONTENT_BYTES);
  ciphertext = wa_node_get_content_bytes (enc);
  g_assert_cmpuint (g_bytes_get_size (ciphertext), ==, 1);
  g_assert_cmpuint (((const guint8 *)g_bytes_get_data (ciphertext, NULL))[0], ==, 0x33);
}

/* Tokens */

static const WaTokens *
current_tokens (void)
{
  return wa_tokens_get (WA_TOKENS_DICT_VERSION);
}

/* Every token of a version finds itself, which also proves none occurs
 * twice in it. */
static void
assert_tokens_find_themselves (const WaTokens *tokens)
{
  guint n_tokens = 0;
  guint dict;
  guint8 idx;

  for (guint i = 1; i < WA_TOKENS_N_SINGLE; i++)
    {
      WaTokenKind kind = wa_tokens_lookup (tokens, wa_tokens_get_single (tokens, i), &dict, &idx);

      g_assert_cmpint (kind, ==, WA_TOKEN_SINGLE);
      g_assert_cmpuint (idx, ==, i);
      n_tokens++;
    }
  for (guint d = 0; d < WA_TOKENS_N_DICTIONARIES; d++)
    for (guint i = 0; i < 256; i++)
      {
        const char *token = wa_tokens_get_double (tokens, d, i);

        g_assert_nonnull (token);
        g_assert_cmpuint (strlen (token), >, 0);
        g_assert_cmpint (wa_tokens_lookup (tokens, token, &dict, &idx), ==, WA_TOKEN_DOUBLE);
        g_assert_cmpuint (dict, ==, d);
        g_assert_cmpuint (idx, ==, i);
        n_tokens++;
      }
  g_assert_cmpuint (n_tokens, ==, 235 + 4 * 256);
}

static void
test_tokens (void)
{
  const WaTokens *v3 = wa_tokens_get (WA_TOKENS_DICT_VERSION);
  guint dict;
  guint8 idx;

  g_assert_cmpuint (wa_tokens_get_version (v3), ==, 3);
  g_assert_null (wa_tokens_get_single (v3, 0));
  g_assert_cmpstr (wa_tokens_get_single (v3, 1), ==, "xmlstreamstart");
  g_assert_cmpstr (wa_tokens_get_single (v3, 3), ==, "s.whatsapp.net");
  g_assert_cmpstr (wa_tokens_get_single (v3, 8), ==, "id");
  g_assert_cmpstr (wa_tokens_get_single (v3, 235), ==, "screen_height");
  g_assert_null (wa_tokens_get_single (v3, 236));
  g_assert_null (wa_tokens_get_single (v3, 255));
  g_assert_cmpstr (wa_tokens_get_double (v3, 0, 0), ==, "read-self");
  g_assert_cmpstr (wa_tokens_get_double (v3, 0, 2), ==, "fbns");
  g_assert_cmpstr (wa_tokens_get_double (v3, 3, 255), ==, "1961");
  g_assert_null (wa_tokens_get_double (v3, 4, 0));

  g_assert_cmpint (wa_tokens_lookup (v3, "", &dict, &idx), ==, WA_TOKEN_NONE);
  g_assert_cmpint (wa_tokens_lookup (v3, "no such token", &dict, &idx), ==, WA_TOKEN_NONE);
  g_assert_cmpint (wa_tokens_lookup (v3, "TYPE", NULL, NULL), ==, WA_TOKEN_NONE);
  /* Only a whole token is one: not a prefix of it, nor it with more. */
  g_assert_cmpint (wa_tokens_lookup (v3, "typ", NULL, NULL), ==, WA_TOKEN_NONE);
  g_assert_cmpint (wa_tokens_lookup (v3, "types", NULL, NULL), ==, WA_TOKEN_NONE);
  g_assert_cmpint (wa_tokens_lookup (v3, "s.whatsapp.net ", NULL, NULL), ==, WA_TOKEN_NONE);
  g_assert_cmpint (wa_tokens_lookup (v3, "type", NULL, &idx), ==, WA_TOKEN_SINGLE);
  g_assert_cmpuint (idx, ==, 4);
  g_assert_cmpint (wa_tokens_lookup (v3, "fbns", &dict, &idx), ==, WA_TOKEN_DOUBLE);
  g_assert_cmpuint (dict, ==, 0);
  g_assert_cmpuint (idx, ==, 2);

  assert_tokens_find_themselves (v3);
}

/* Version 2, as Baileys 6 announces it: same shape, other order. */
static void
test_tokens_v2 (void)
{
  const WaTokens *v2 = wa_tokens_get (2);
  guint8 idx;

  g_assert_nonnull (v2);
  g_assert_null (wa_tokens_get (1));
  g_assert_null (wa_tokens_get (4));
  g_assert_cmpuint (wa_tokens_get_version (v2), ==, 2);
  g_assert_cmpstr (wa_tokens_get_single (v2, 3), ==, "s.whatsapp.net");
  g_assert_cmpstr (wa_tokens_get_single (v2, 9), ==, "broadcast");
  g_assert_cmpstr (wa_tokens_get_single (current_tokens (), 9), ==, "notification");
  g_assert_cmpint (wa_tokens_lookup (v2, "iq", NULL, &idx), ==, WA_TOKEN_SINGLE);
  g_assert_cmpuint (idx, ==, 30);
  assert_tokens_find_themselves (v2);
}

/* A node written in one version reads back only in that version. */
static void
test_frame_dictionary_versions (void)
{
  const WaTokens *v2 = wa_tokens_get (2);
  g_autoptr(WaNode) node = wa_node_new_with_attrs ("iq", "type", "result", "id", "1",
                                                   "from", "@s.whatsapp.net", NULL);
  g_autoptr(GBytes) in_v2 = NULL;
  g_autoptr(GBytes) in_v3 = NULL;
  g_autoptr(WaNode) back = NULL;
  g_autoptr(WaNode) misread = NULL;
  g_autoptr(GError) error = NULL;

  wa_node_add_child (node, wa_node_new_with_attrs ("count", "value", "812", NULL));
  in_v2 = wa_binary_pack_frame_with (node, v2);
  in_v3 = wa_binary_pack_frame (node);
  g_assert_false (g_bytes_equal (in_v2, in_v3));

  back = wa_binary_unpack_frame_with (g_bytes_get_data (in_v2, NULL), g_bytes_get_size (in_v2), v2, &error);
  g_assert_no_error (error);
  g_assert_true (wa_node_equal (back, node));

  misread = wa_binary_unpack_frame (g_bytes_get_data (in_v2, NULL), g_bytes_get_size (in_v2), NULL);
  g_assert_true (misread == NULL || !g_str_equal (wa_node_get_tag (misread), "iq") ||
                 g_strcmp0 (wa_node_get_attr (misread, "type"), "result") != 0);
}

/* Strings: tokens, nibble and hex packing, raw bytes */

/* The encoding of @value as an attribute value of <iq id=…>. */
static char *
encode_value (const char *value)
{
  g_autoptr(WaNode) node = wa_node_new_with_attrs ("iq", "id", value, NULL);
  g_autoptr(GBytes) bytes = wa_binary_encode (node);
  g_autoptr(WaNode) decoded = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *data = g_bytes_get_data (bytes, NULL);

  /* f8 03 19 08, then the value */
  g_assert_cmpuint (g_bytes_get_size (bytes), >=, 5);
  g_assert_cmpmem (data, 4, "\xf8\x03\x19\x08", 4);

  decoded = wa_binary_decode (data, g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (wa_node_get_attr (decoded, "id"), ==, value);
  g_assert_null (wa_node_peek_attr_jid (decoded, 0));

  return xi_test_hex (data + 4, g_bytes_get_size (bytes) - 4);
}

static void
assert_value_encoding (const char *value,
                       const char *expected_hex)
{
  g_autofree char *got = encode_value (value);
  g_autoptr(GBytes) expected = hex_bytes (expected_hex);
  g_autofree char *want = bytes_hex (expected);

  g_test_message ("value \"%.40s\"", value);
  g_assert_cmpstr (got, ==, want);
}

static char *
repeat (char  c,
        gsize n)
{
  char *s = g_malloc (n + 1);

  memset (s, c, n);
  s[n] = '\0';
  return s;
}

static void
test_strings (void)
{
  g_autofree char *digits_127 = repeat ('7', 127);
  g_autofree char *digits_128 = repeat ('7', 128);
  g_autofree char *hex_127 = repeat ('A', 127);
  g_autofree char *hex_128 = repeat ('A', 128);
  g_autofree char *raw_255 = repeat ('x', 255);
  g_autofree char *raw_256 = repeat ('x', 256);
  g_autofree char *got = NULL;

  /* Tokens come first, even for strings that could be packed. */
  assert_value_encoding ("type", "04");
  assert_value_encoding ("0", "2d");
  assert_value_encoding ("read-self", "ec00");
  assert_value_encoding ("1961", "efff");
  assert_value_encoding ("9", "ed05");

  /* Nibbles: even and odd lengths, '-' is 10, '.' is 11, 15 pads. */
  assert_value_encoding ("123.45-1", "ff04 123b45a1");
  assert_value_encoding ("123", "ff82 123f");
  assert_value_encoding ("987", "ff82 987f");
  assert_value_encoding ("-.", "ff01 ab");
  assert_value_encoding ("", "ff00");

  /* Hex: uppercase only. Strings of digits alone are nibbles first. */
  assert_value_encoding ("3EB0C", "fb83 3eb0cf");
  assert_value_encoding ("ABCDEF", "fb03 abcdef");
  assert_value_encoding ("3eb0c", "fc05 3365623063");
  assert_value_encoding ("3EB0c", "fc05 3345423063");
  assert_value_encoding ("AB-1", "fc04 41422d31");
  assert_value_encoding ("1.5E", "fc04 312e3545");

  /* 127 characters is the packing limit; 128 goes raw. */
  got = encode_value (digits_127);
  g_assert_true (g_str_has_prefix (got, "ffc0"));
  g_assert_true (g_str_has_suffix (got, "777f"));
  g_assert_cmpuint (strlen (got), ==, 2 * (2 + 64));
  g_clear_pointer (&got, g_free);

  got = encode_value (digits_128);
  g_assert_true (g_str_has_prefix (got, "fc80"));
  g_assert_cmpuint (strlen (got), ==, 2 * (2 + 128));
  g_clear_pointer (&got, g_free);

  got = encode_value (hex_127);
  g_assert_true (g_str_has_prefix (got, "fbc0aaaa"));
  g_assert_true (g_str_has_suffix (got, "aaaf"));
  g_clear_pointer (&got, g_free);

  got = encode_value (hex_128);
  g_assert_true (g_str_has_prefix (got, "fc804141"));
  g_clear_pointer (&got, g_free);

  /* Raw lengths: BINARY_8 up to 255, then BINARY_20. */
  got = encode_value (raw_255);
  g_assert_true (g_str_has_prefix (got, "fcff78"));
  g_clear_pointer (&got, g_free);
  got = encode_value (raw_256);
  g_assert_true (g_str_has_prefix (got, "fd00010078"));
  g_clear_pointer (&got, g_free);

  /* Text that looks like a JID stays text: typing is the caller's call. */
  assert_value_encoding ("1555@s.whatsapp.net", "fc13 3135353540732e77686174736170702e6e6574");

  /* UTF-8 goes through as raw bytes. */
  assert_value_encoding ("é", "fc02 c3a9");
}

/* Each thread encodes in a buffer it keeps between stanzas: what one
 * thread writes never shows in another's, a large stanza's buffer is not
 * kept, and under valgrind (wa-binary-leaks) the buffer goes with its
 * thread. */
static gpointer
encode_in_thread (gpointer data)
{
  guint n = GPOINTER_TO_UINT (data);
  g_autofree guint8 *big = g_malloc0 (1 << 20);

  for (guint round = 0; round < 3; round++)
    {
      g_autoptr(WaNode) node = wa_node_new_with_attrs ("message", "id", "3EB0", "to", "s.whatsapp.net", NULL);
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(WaNode) decoded = NULL;
      g_autoptr(GError) error = NULL;

      big[0] = (guint8) n;
      wa_node_set_content_data (node, big, round == 1 ? 1 << 20 : 16 + n);
      bytes = wa_binary_encode (node);
      decoded = wa_binary_decode (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
      g_assert_no_error (error);
      g_assert_true (wa_node_equal (node, decoded));
    }
  return NULL;
}

static void
test_encode_in_threads (void)
{
  GThread *threads[4];

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("encode", encode_in_thread, GUINT_TO_POINTER (i));
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
}

static void
test_content_bytes (void)
{
  g_autoptr(WaNode) node = wa_node_new ("iq");
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) big = NULL;
  g_autoptr(WaNode) decoded = NULL;
  g_autoptr(GError) error = NULL;
  gsize sizes[] = { 0, 1, 255, 256, (1 << 20) - 1, 1 << 20 };

  /* Bytes that spell a token, or digits, are still written raw. */
  wa_node_set_content_data (node, (const guint8 *)"type", 4);
  bytes = wa_binary_encode (node);
  assert_bytes_hex (bytes, "f80219 fc04 74797065");
  g_clear_pointer (&bytes, g_bytes_unref);

  wa_node_set_content_data (node, (const guint8 *)"12", 2);
  bytes = wa_binary_encode (node);
  assert_bytes_hex (bytes, "f80219 fc02 3132");
  g_clear_pointer (&bytes, g_bytes_unref);

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree guint8 *data = g_malloc0 (MAX (sizes[i], 1));
      g_autoptr(GBytes) encoded = NULL;
      const guint8 *p;
      gsize header;

      wa_node_set_content_data (node, data, sizes[i]);
      encoded = wa_binary_encode (node);
      p = (const guint8 *)g_bytes_get_data (encoded, NULL) + 3;
      if (sizes[i] < 256)
        {
          g_assert_cmpuint (p[0], ==, 0xfc);
          g_assert_cmpuint (p[1], ==, sizes[i]);
          header = 2;
        }
      else if (sizes[i] < (1 << 20))
        {
          g_assert_cmpuint (p[0], ==, 0xfd);
          g_assert_cmpuint ((gsize)(p[1] << 16 | p[2] << 8 | p[3]), ==, sizes[i]);
          header = 4;
        }
      else
        {
          g_assert_cmpuint (p[0], ==, 0xfe);
          g_assert_cmpuint ((gsize)p[1] << 24 | p[2] << 16 | p[3] << 8 | p[4], ==, sizes[i]);
          header = 5;
        }
      g_assert_cmpuint (g_bytes_get_size (encoded), ==, 3 + header + sizes[i]);
      assert_stable (node);
    }

  /* BINARY_20 ignores the top four bits of its first length byte. */
  big = hex_bytes ("f80219 fdf00001 41");
  decoded = wa_binary_decode (g_bytes_get_data (big, NULL), g_bytes_get_size (big), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (wa_node_get_content_bytes (decoded)), ==, 1);
}

static void
test_packed_decoding (void)
{
  static const struct {
    const char *hex;
    const char *value;   /* NULL: must fail as malformed */
  } cases[] = {
    { "f80319 08 ff04 123b45a1", "123.45-1" },
    { "f80319 08 ff82 123f", "123" },
    { "f80319 08 ff00", "" },
    { "f80319 08 fb83 3eb0cf", "3EB0C" },
    { "f80319 08 fb01 ff", "FF" },
    { "f80319 08 fb81 af", "A" },
    /* the padding nibble is dropped whatever its value, as whatsmeow does */
    { "f80319 08 ff81 12", "1" },
    /* 12, 13 and 14 are no nibble at all */
    { "f80319 08 ff01 1c", NULL },
    { "f80319 08 ff01 d1", NULL },
    { "f80319 08 ff81 1e", NULL },
    /* 15 is padding, only at the end of an odd length */
    { "f80319 08 ff01 1f", NULL },
    { "f80319 08 ff02 f111", NULL },
    /* odd length and no bytes */
    { "f80319 08 ff80", NULL },
    { "f80319 08 fb80", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(WaNode) node = decode_hex (cases[i].hex, &error);

      g_test_message ("packed case %s", cases[i].hex);
      if (cases[i].value == NULL)
        {
          g_assert_error (error, WA_ERROR, WA_ERROR_MALFORMED);
          g_assert_null (node);
        }
      else
        {
          g_assert_no_error (error);
          g_assert_cmpstr (wa_node_get_attr (node, "id"), ==, cases[i].value);
        }
    }
}

/* JIDs */

static void
test_jid_parse (void)
{
  static const struct {
    const char *text;
    const char *user;
    const char *server;
    guint       device;
    guint       agent;
    const char *canonical;    /* wa_jid_to_string(); NULL: same as text */
    const char *signal_name;
  } good[] = {
    { "15551234567@s.whatsapp.net", "15551234567", "s.whatsapp.net", 0, 0, NULL, "15551234567" },
    { "1555:3@s.whatsapp.net", "1555", "s.whatsapp.net", 3, 0, NULL, "1555" },
    { "236395184570386:77@lid", "236395184570386", "lid", 77, 0, NULL, "236395184570386_1" },
    { "236395184570386@lid", "236395184570386", "lid", 0, 0, NULL, "236395184570386_1" },
    { "@s.whatsapp.net", "", "s.whatsapp.net", 0, 0, NULL, "" },
    { "123-456@g.us", "123-456", "g.us", 0, 0, NULL, "123-456" },
    { "status@broadcast", "status", "broadcast", 0, 0, NULL, "status" },
    { "120363025246125486@newsletter", "120363025246125486", "newsletter", 0, 0, NULL,
      "120363025246125486" },
    { "1555:0@s.whatsapp.net", "1555", "s.whatsapp.net", 0, 0, "1555@s.whatsapp.net", "1555" },
    { "1555.0:3@s.whatsapp.net", "1555", "s.whatsapp.net", 3, 0, "1555:3@s.whatsapp.net", "1555" },
    { "1555.5:3@s.whatsapp.net", "1555", "s.whatsapp.net", 3, 5, NULL, "1555_5" },
    { "1555.5@s.whatsapp.net", "1555", "s.whatsapp.net", 0, 5, "1555.5:0@s.whatsapp.net",
      "1555_5" },
    { "1555:12@hosted", "1555", "hosted", 12, 0, NULL, "1555_128" },
    { "2363:12@hosted.lid", "2363", "hosted.lid", 12, 0, NULL, "2363_129" },
    { "100:300@msgr", "100", "msgr", 300, 0, NULL, "100" },
    { ":4@s.whatsapp.net", "", "s.whatsapp.net", 4, 0, NULL, "" },
    { "1555:255@s.whatsapp.net", "1555", "s.whatsapp.net", 255, 0, NULL, "1555" },
  };
  static const char *bad[] = {
    "",
    "15551234567",
    "s.whatsapp.net",
    "1555@",
    "a@b@c",
    "1555:@s.whatsapp.net",
    "1555:x@s.whatsapp.net",
    "1555:-1@s.whatsapp.net",
    "1555:+1@s.whatsapp.net",
    "1555:1:2@s.whatsapp.net",
    "1555.1.2@s.whatsapp.net",
    "1555:2.1@s.whatsapp.net",
    "1555.@s.whatsapp.net",
    "1555:256@s.whatsapp.net",       /* AD_JID has one byte for the device */
    "1555:65536@msgr",
    "1555:3@g.us",                   /* no device form on groups */
    "1555.1:3@s.whatsapp.net",       /* agent 1 would read back as a LID */
    "1555.128@s.whatsapp.net",
    "1555.5:3@lid",
    "1555.256:3@s.whatsapp.net",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(WaJid) jid = wa_jid_parse (good[i].text, &error);
      g_autoptr(WaJid) again = NULL;
      g_autofree char *text = NULL;
      g_autofree char *name = NULL;

      g_test_message ("JID %s", good[i].text);
      g_assert_no_error (error);
      g_assert_cmpstr (wa_jid_get_user (jid), ==, good[i].user);
      g_assert_cmpstr (wa_jid_get_server (jid), ==, good[i].server);
      g_assert_cmpuint (wa_jid_get_device (jid), ==, good[i].device);
      g_assert_cmpuint (wa_jid_get_agent (jid), ==, good[i].agent);

      text = wa_jid_to_string (jid);
      g_assert_cmpstr (text, ==, good[i].canonical != NULL ? good[i].canonical : good[i].text);
      again = wa_jid_parse (text, &error);
      g_assert_no_error (error);
      g_assert_true (wa_jid_equal (jid, again));
      g_assert_cmpuint (wa_jid_hash (jid), ==, wa_jid_hash (again));

      name = wa_jid_signal_address_name (jid);
      g_assert_cmpstr (name, ==, good[i].signal_name);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(WaJid) jid = wa_jid_parse (bad[i], &error);

      g_test_message ("not a JID: \"%s\"", bad[i]);
      g_assert_error (error, WA_ERROR, WA_ERROR_MALFORMED);
      g_assert_null (jid);
    }
}

static void
test_jid_helpers (void)
{
  g_autoptr(WaJid) server = wa_jid_new_server ();
  g_autoptr(WaJid) user = wa_jid_new_pn_user ("+15551234567", NULL);
  g_autoptr(WaJid) same_user = wa_jid_new ("15551234567", WA_SERVER_PN);
  g_autoptr(WaJid) device = wa_jid_new_device ("15551234567", WA_SERVER_PN, 3);
  g_autoptr(WaJid) lid = wa_jid_parse ("236395184570386:77@lid", NULL);
  g_autoptr(WaJid) group = wa_jid_parse ("123-456@g.us", NULL);
  g_autoptr(WaJid) non_ad = NULL;
  g_autoptr(WaJid) lid_account = NULL;
  g_autoptr(WaJid) device_again = NULL;
  g_autoptr(WaJid) interop = NULL;
  g_autoptr(WaJid) bad = NULL;
  g_autoptr(GHashTable) set = g_hash_table_new (wa_jid_hash, wa_jid_equal);
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  g_autofree char *lid_address = NULL;
  g_autofree char *masked = NULL;
  g_autofree char *server_text = NULL;

  g_assert_true (wa_jid_is_server (server));
  g_assert_false (wa_jid_is_server (user));
  g_assert_false (wa_jid_is_user (server));
  server_text = wa_jid_to_string (server);
  g_assert_cmpstr (server_text, ==, "@s.whatsapp.net");

  g_assert_true (wa_jid_equal (user, same_user));
  g_assert_false (wa_jid_equal (user, device));
  g_assert_true (wa_jid_is_pn (user) && wa_jid_is_user (user) && !wa_jid_is_ad (user));
  g_assert_true (wa_jid_is_ad (device));
  g_assert_true (wa_jid_is_lid (lid) && wa_jid_is_user (lid));
  g_assert_true (wa_jid_is_group (group) && !wa_jid_is_user (group));

  non_ad = wa_jid_to_non_ad (device);
  g_assert_true (wa_jid_equal (non_ad, user));
  device_again = wa_jid_to_device (non_ad, 3, &error);
  g_assert_no_error (error);
  g_assert_true (wa_jid_equal (device_again, device));
  g_assert_null (wa_jid_to_device (group, 1, &error));
  g_assert_error (error, WA_ERROR, WA_ERROR_MALFORMED);
  g_clear_error (&error);

  {
    g_autoptr(WaJid) legacy = wa_jid_parse ("15551234567@c.us", NULL);
    g_autoptr(WaJid) normalized = wa_jid_user_jid (legacy);
    g_autoptr(WaJid) from_device = wa_jid_user_jid (device);
    g_autoptr(WaJid) lid_user = wa_jid_user_jid (lid);

    g_assert_true (wa_jid_equal (normalized, user));
    g_assert_true (wa_jid_equal (from_device, user));
    g_assert_cmpstr (wa_jid_get_server (lid_user), ==, WA_SERVER_LID);
    g_assert_false (wa_jid_is_ad (lid_user));
  }

  lid_account = wa_jid_to_non_ad (lid);
  g_assert_cmpuint (wa_jid_get_device (lid_account), ==, 0);
  g_assert_cmpstr (wa_jid_get_server (lid_account), ==, WA_SERVER_LID);

  /* WA-PROTOCOL.md §0's examples of Signal addresses. */
  address = wa_jid_signal_address (user);
  g_assert_cmpstr (address, ==, "15551234567.0");
  lid_address = wa_jid_signal_address (lid);
  g_assert_cmpstr (lid_address, ==, "236395184570386_1.77");

  /* Usable as hash table keys. */
  g_hash_table_add (set, user);
  g_hash_table_add (set, device);
  g_assert_true (g_hash_table_contains (set, same_user));
  g_assert_true (g_hash_table_contains (set, device_again));
  g_assert_false (g_hash_table_contains (set, lid));

  interop = wa_jid_new_full ("42", WA_SERVER_INTEROP, 0, 1, 7, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (wa_jid_get_integrator (interop), ==, 7);
  bad = wa_jid_new_full ("42", WA_SERVER_PN, 0, 1, 7, &error);
  g_assert_error (error, WA_ERROR, WA_ERROR_MALFORMED);
  g_assert_null (bad);
  g_clear_error (&error);

  g_assert_null (wa_jid_new_pn_user ("", &error));
  g_assert_error (error, WA_ERROR, WA_ERROR_MALFORMED);
  g_clear_error (&error);
  g_assert_null (wa_jid_new_pn_user ("+49 151 234", &error));
  g_assert_error (error, WA_ERROR, WA_ERROR_MALFORMED);
  g_clear_error (&error);
  g_assert_null (wa_jid_new_pn_user ("0151234567", &error));
  g_assert_error (error, WA_ERROR, WA_ERROR_MALFORMED);
  g_clear_error (&error);

  masked = wa_jid_to_debug_string (lid);
  g_assert_cmpstr (masked, ==, "23***********86:77@lid");
  g_clear_pointer (&masked, g_free);
  masked = wa_jid_mask_digits ("+4915123456789 at 12:30, id 12345, 123456");
  g_assert_cmpstr (masked, ==, "+49*********89 at 12:30, id 12345, 12**56");
  g_clear_pointer (&masked, g_free);
  masked = wa_jid_mask_digits (NULL);
  g_assert_cmpstr (masked, ==, "(null)");
}

static void
test_jid_encoding (void)
{
  static const struct {
    const char *jid;
    const char *hex;   /* as the value of <iq to=…> */
  } cases[] = {
    { "@s.whatsapp.net", "fa 00 03" },
    { "15551234567@s.whatsapp.net", "fa ff8615551234567f 03" },
    { "15551234567:2@s.whatsapp.net", "f7 00 02 ff8615551234567f" },
    { "236395184570386:77@lid", "f7 01 4d ff88236395184570386f" },
    { "236395184570386@lid", "fa ff88236395184570386f 76" },
    { "1555@hosted", "f7 80 00 ff021555" },
    { "1555:12@hosted", "f7 80 0c ff021555" },
    { "2363:1@hosted.lid", "f7 81 01 ff022363" },
    { "1555.5:3@s.whatsapp.net", "f7 05 03 ff021555" },
    { "100:300@msgr", "f6 ec33 012c cc" },
    { "1555:300@msgr", "f6 ff021555 012c cc" },
    { "123-456@g.us", "fa ff84123a456f 1c" },
    { "status@broadcast", "fa 0b 0d" },
    { "@g.us", "fa 00 1c" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(WaJid) jid = wa_jid_parse (cases[i].jid, NULL);
      g_autoptr(WaNode) node = wa_node_new ("iq");
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(WaNode) decoded = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *expected = g_strconcat ("f80319 11 ", cases[i].hex, NULL);

      g_test_message ("JID %s", cases[i].jid);
      g_assert_nonnull (jid);
      wa_node_set_attr_jid (node, "to", jid);
      bytes = wa_binary_encode (node);
      assert_bytes_hex (bytes, expected);

      decoded = wa_binary_decode (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
      g_assert_no_error (error);
      g_assert_true (wa_jid_equal (wa_node_peek_attr_jid (decoded, 0), jid));
    }
}

static void
test_jid_decoding (void)
{
  static const struct {
    const char *hex;      /* the value of <iq to=…> */
    const char *jid;      /* NULL: malformed */
  } cases[] = {
    /* the forms other encoders may choose for the same JIDs */
    { "fa ff021555 03", "1555@s.whatsapp.net" },
    { "f7 00 00 ff021555", "1555@s.whatsapp.net" },
    { "fa fc00 03", "@s.whatsapp.net" },
    { "fa ff021555 fc06686f73746564", "1555@hosted" },
    { "f5 ff0142 0001 0007 fc07696e7465726f70", "42:1@interop" },
    { "f6 00 0005 fc046d736772", ":5@msgr" },
    /* each device form belongs to one server */
    { "f6 ff021555 0005 03", NULL },
    { "f5 ff021555 0001 0002 03", NULL },
    /* a JID needs a server, and no part of it may be a JID or a list */
    { "fa 00 00", NULL },
    { "fa ff021555 ff00", NULL },
    { "fa fa0003 03", NULL },
    { "f7 00 01 fa0003", NULL },
    { "fa f80119 03", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *hex = g_strconcat ("f80319 11 ", cases[i].hex, NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(WaNode) node = decode_hex (hex, &error);

      g_test_message ("JID bytes %s", cases[i].hex);
      if (cases[i].jid == NULL)
        {
          g_assert_error (error, WA_ERROR, WA_ERROR_MALFORMED);
          g_assert_null (node);
        }
      else
        {
          g_autoptr(WaJid) expected = wa_jid_parse (cases[i].jid, NULL);

          g_assert_no_error (error);
          g_assert_nonnull (wa_node_peek_attr_jid (node, 0));
          g_assert_cmpstr (wa_node_get_attr (node, "to"), ==, cases[i].jid);
          if (!g_str_has_suffix (cases[i].jid, "@interop"))
            g_assert_true (wa_jid_equal (wa_node_peek_attr_jid (node, 0), expected));
          assert_stable (node);
        }
    }
}

/* Structure */

static void
test_structure (void)
{
  static const struct {
    const char *hex;
    int         error;        /* -1: decodes */
    const char *rendering;    /* expected WA_NODE_DEBUG_FULL rendering when it decodes */
  } cases[] = {
    { "f80119", -1, "<iq/>" },
    { "f9000119", -1, "<iq/>" },
    { "f80219 00", -1, "<iq></iq>" },
    { "f80219 f800", -1, "<iq></iq>" },
    { "f80219 f801f80141", -1, "<iq><count/></iq>" },
    /* text or JID content becomes bytes */
    { "f80219 04", -1, "<iq>74797065</iq>" },
    { "f80219 fa0003", -1, "<iq>40732e77686174736170702e6e6574</iq>" },
    { "f80219 fc0100", -1, "<iq>00</iq>" },
    /* a LIST_EMPTY value is no attribute at all */
    { "f80319 08 00", -1, "<iq/>" },
    { "f80519 08 ff0112 08 ff0134", -1, "<iq id=\"34\"/>" },
    { "f80319 08 fc00", -1, "<iq id=\"\"/>" },
    /* a node is a non-empty list with a tag */
    { "", WA_ERROR_TRUNCATED, NULL },
    { "00", WA_ERROR_MALFORMED, NULL },
    { "19", WA_ERROR_MALFORMED, NULL },
    { "f800", WA_ERROR_MALFORMED, NULL },
    { "f90000", WA_ERROR_MALFORMED, NULL },
    { "f801 00", WA_ERROR_MALFORMED, NULL },
    { "f801 ff00", WA_ERROR_MALFORMED, NULL },
    { "f801 fa0003", WA_ERROR_MALFORMED, NULL },
    { "f801 f0", WA_ERROR_MALFORMED, NULL },
    { "f801 f4", WA_ERROR_MALFORMED, NULL },
    /* keys are non-empty strings; values are strings or JIDs */
    { "f80319 00 04", WA_ERROR_MALFORMED, NULL },
    { "f80319 fc00 04", WA_ERROR_MALFORMED, NULL },
    { "f80319 fa0003 04", WA_ERROR_MALFORMED, NULL },
    { "f80319 08 f80119", WA_ERROR_MALFORMED, NULL },
    { "f80319 08 fc03 610062", WA_ERROR_MALFORMED, NULL },
    /* children are nodes */
    { "f80219 f801 000000", WA_ERROR_MALFORMED, NULL },
    { "f80219 f801 19", WA_ERROR_TRUNCATED, NULL },
    { "f80219 f801 f80019", WA_ERROR_MALFORMED, NULL },
    /* bytes after the node */
    { "f80119 00", WA_ERROR_MALFORMED, NULL },
    /* sizes larger than what is left are refused before any allocation */
    { "f9ffff 19", WA_ERROR_TRUNCATED, NULL },
    { "f80219 feffffffff", WA_ERROR_TRUNCATED, NULL },
    { "f80219 fdffffff", WA_ERROR_TRUNCATED, NULL },
    { "f80219 f9ffff f80119", WA_ERROR_TRUNCATED, NULL },
    { "f80319 08 ff7f 12", WA_ERROR_TRUNCATED, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(WaNode) node = decode_hex (cases[i].hex, &error);

      g_test_message ("structure case \"%s\"", cases[i].hex);
      if (cases[i].error < 0)
        {
          g_autofree char *rendering = NULL;

          g_assert_no_error (error);
          rendering = full_string (node);
          g_assert_cmpstr (rendering, ==, cases[i].rendering);
          assert_stable (node);
        }
      else
        {
          g_assert_error (error, WA_ERROR, cases[i].error);
          g_assert_null (node);
        }
    }
}

/* Content LIST_EMPTY survives a round trip byte for byte. */
static void
test_empty_children (void)
{
  g_autoptr(WaNode) node = wa_node_new ("iq");
  g_autoptr(GBytes) bytes = NULL;

  wa_node_ensure_children (node);
  bytes = wa_binary_encode (node);
  assert_bytes_hex (bytes, "f80219 00");
  assert_stable (node);
}

static GBytes *
nested (guint depth)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();

  /* <iq><iq>…<iq/>…</iq></iq>: depth nodes */
  for (guint i = 0; i + 1 < depth; i++)
    g_byte_array_append (out, (const guint8 *)"\xf8\x02\x19\xf8\x01", 5);
  g_byte_array_append (out, (const guint8 *)"\xf8\x01\x19", 3);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static void
test_depth (void)
{
  g_autoptr(GBytes) ok = nested (WA_BINARY_MAX_DEPTH);
  g_autoptr(GBytes) too_deep = nested (WA_BINARY_MAX_DEPTH + 1);
  g_autoptr(GBytes) way_too_deep = nested (100000);
  g_autoptr(WaNode) node = NULL;
  g_autoptr(GError) error = NULL;

  node = wa_binary_decode (g_bytes_get_data (ok, NULL), g_bytes_get_size (ok), &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_clear_pointer (&node, wa_node_unref);

  node = wa_binary_decode (g_bytes_get_data (too_deep, NULL), g_bytes_get_size (too_deep), &error);
  g_assert_error (error, WA_ERROR, WA_ERROR_MALFORMED);
  g_assert_null (node);
  g_clear_error (&error);

  node = wa_binary_decode (g_bytes_get_data (way_too_deep, NULL), g_bytes_get_size (way_too_deep),
                           &error);
  g_assert_error (error, WA_ERROR, WA_ERROR_MALFORMED);
  g_assert_null (node);
}

/* Duplicate keys on the wire: the last value wins, at the first place. */
static void
test_duplicate_keys (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WaNode) node = decode_hex ("f80719 08 ff0112 04 29 08 ff0134", &error);
  g_autofree char *rendering = NULL;

  g_assert_no_error (error);
  rendering = full_string (node);
  g_assert_cmpstr (rendering, ==, "<iq id=\"34\" type=\"get\"/>");
  assert_stable (node);
}

/* Frames and compression */

static GBytes *
compress_frame (guint8        flag,
                const guint8 *data,
                gsize         len,
                const char   *trailer)
{
  uLongf out_len = compressBound (len);
  gsize trailer_len = trailer != NULL ? strlen (trailer) : 0;
  guint8 *out = g_malloc (1 + out_len + trailer_len);

  out[0] = flag;
  g_assert_cmpint (compress2 (out + 1, &out_len, data, len, 9), ==, Z_OK);
  if (trailer_len > 0)
    memcpy (out + 1 + out_len, trailer, trailer_len);
  return g_bytes_new_take (out, 1 + out_len + trailer_len);
}

static WaNode *
unpack (GBytes  *frame,
        GError **error)
{
  return wa_binary_unpack_frame (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), error);
}

static void
test_compressed (void)
{
  g_autoptr(WaNode) node = vector_node (3);
  g_autoptr(GBytes) payload = wa_binary_encode (node);
  gsize len = g_bytes_get_size (payload);
  const guint8 *data = g_bytes_get_data (payload, NULL);
  g_autoptr(GBytes) frame = compress_frame (0x02, data, len, NULL);
  g_autoptr(GBytes) other_bits = compress_frame (0xfe, data, len, NULL);
  g_autoptr(GBytes) trailing = compress_frame (0x02, data, len, "x");
  g_autoptr(GBytes) truncated = NULL;
  g_autoptr(GBytes) garbage = hex_bytes ("02 0102030405060708");
  g_autoptr(GBytes) empty_stream = hex_bytes ("02");
  g_autoptr(GBytes) plain_flag = NULL;
  g_autoptr(GByteArray) flagged = g_byte_array_new ();
  g_autoptr(WaNode) decoded = NULL;
  g_autoptr(GError) error = NULL;

  decoded = unpack (frame, &error);
  g_assert_no_error (error);
  g_assert_true (wa_node_equal (decoded, node));
  g_clear_pointer (&decoded, wa_node_unref);

  /* Only bit 0x02 counts. */
  decoded = unpack (other_bits, &error);
  g_assert_no_error (error);
  g_assert_true (wa_node_equal (decoded, node));
  g_clear_pointer (&decoded, wa_node_unref);

  g_byte_array_append (flagged, (const guint8 *)"\xfd", 1);
  g_byte_array_append (flagged, data, len);
  plain_flag = g_byte_array_free_to_bytes (g_steal_pointer (&flagged));
  decoded = unpack (plain_flag, &error);
  g_assert_no_error (error);
  g_assert_true (wa_node_equal (decoded, node));
  g_clear_pointer (&decoded, wa_node_unref);

  /* Bytes after the zlib stream. */
  decoded = unpack (trailing, &error);
  g_assert_error (error, WA_ERROR, WA_ERROR_MALFORMED);
  g_assert_null (decoded);
  g_clear_error (&error);

  /* Every prefix of the compressed frame is truncated. */
  for (gsize cut = 0; cut < g_bytes_get_size (frame); cut++)
    {
      truncated = g_bytes_new_from_bytes (frame, 0, cut);
      decoded = unpack (truncated, &error);
      g_assert_error (error, WA_ERROR, WA_ERROR_TRUNCATED);
      g_assert_null (decoded);
      g_clear_error (&error);
      g_clear_pointer (&truncated, g_bytes_unref);
    }

  decoded = unpack (garbage, &error);
  g_assert_error (error, WA_ERROR, WA_ERROR_MALFORMED);
  g_clear_error (&error);

  decoded = unpack (empty_stream, &error);
  g_assert_error (error, WA_ERROR, WA_ERROR_TRUNCATED);
  g_clear_error (&error);
}

/* A node whose encoding is @size bytes: "iq" with BINARY_32 content. */
static GBytes *
payload_of_size (gsize size)
{
  guint8 *data = g_malloc0 (size);
  gsize content = size - 8;

  memcpy (data, "\xf8\x02\x19\xfe", 4);
  data[4] = content >> 24;
  data[5] = content >> 16;
  data[6] = content >> 8;
  data[7] = content;
  return g_bytes_new_take (data, size);
}

static void
test_inflate_cap (void)
{
  g_autoptr(GBytes) at_cap = payload_of_size (WA_BINARY_MAX_INFLATED);
  g_autoptr(GBytes) over_cap = payload_of_size (WA_BINARY_MAX_INFLATED + 1);
  g_autoptr(GBytes) frame = NULL;
  g_autoptr(WaNode) node = NULL;
  g_autoptr(GError) error = NULL;

  frame = compress_frame (0x02, g_bytes_get_data (at_cap, NULL), g_bytes_get_size (at_cap), NULL);
  node = unpack (frame, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (wa_node_get_content_bytes (node)), ==,
                    WA_BINARY_MAX_INFLATED - 8);
  g_clear_pointer (&node, wa_node_unref);
  g_clear_pointer (&frame, g_bytes_unref);

  /* A zlib bomb stops at the cap, whatever it would have grown to. */
  frame = compress_frame (0x02, g_bytes_get_data (over_cap, NULL), g_bytes_get_size (over_cap),
                          NULL);
  node = unpack (frame, &error);
  g_assert_error (error, WA_ERROR, WA_ERROR_MALFORMED);
  g_assert_null (node);
}

/* Random trees */

static const char *
random_token (GRand *rand)
{
  if (g_rand_boolean (rand))
    return wa_tokens_get_single (current_tokens (), g_rand_int_range (rand, 1, WA_TOKENS_N_SINGLE));
  return wa_tokens_get_double (current_tokens (), g_rand_int_range (rand, 0, WA_TOKENS_N_DICTIONARIES),
                               g_rand_int_range (rand, 0, 256));
}

/* Strings that exercise every writeString branch and their boundaries. */
static char *
random_string (GRand    *rand,
               gboolean  allow_empty)
{
  static const char *alphabets[] = {
    "0123456789-.",
    "0123456789ABCDEF",
    "0123456789abcdef",
    "abcdefghijklmnopqrstuvwxyz:@_ ",
    "0123456789",
  };
  static const gsize lengths[] = { 1, 2, 3, 126, 127, 128, 129, 255, 256, 300 };
  GString *out;
  gsize len;
  int kind = g_rand_int_range (rand, 0, 8);

  if (kind == 0)
    return g_strdup (random_token (rand));

  if (g_rand_int_range (rand, 0, 8) == 0)
    len = lengths[g_rand_int_range (rand, 0, G_N_ELEMENTS (lengths))];
  else
    len = g_rand_int_range (rand, allow_empty ? 0 : 1, 24);

  out = g_string_sized_new (len);
  if (kind == 7)
    {
      /* any byte but NUL, UTF-8 or not */
      for (gsize i = 0; i < len; i++)
        g_string_append_c (out, (char)g_rand_int_range (rand, 1, 256));
    }
  else
    {
      const char *alphabet = alphabets[MIN (kind - 1, (int)G_N_ELEMENTS (alphabets) - 1)];
      gsize n = strlen (alphabet);

      for (gsize i = 0; i < len; i++)
        g_string_append_c (out, alphabet[g_rand_int_range (rand, 0, n)]);
    }
  return g_string_free (out, FALSE);
}

static WaJid *
random_jid (GRand *rand)
{
  static const char *servers[] = {
    WA_SERVER_PN, WA_SERVER_PN, WA_SERVER_LID, WA_SERVER_GROUP, WA_SERVER_LEGACY,
    WA_SERVER_BROADCAST, WA_SERVER_NEWSLETTER, WA_SERVER_HOSTED, WA_SERVER_HOSTED_LID,
    WA_SERVER_MSGR, WA_SERVER_INTEROP, WA_SERVER_BOT, "example.org",
  };
  static const guint8 agents[] = { 0, 2, 5, 127, 130, 255 };
  const char *server = servers[g_rand_int_range (rand, 0, G_N_ELEMENTS (servers))];
  g_autofree char *user = g_rand_int_range (rand, 0, 6) == 0 ? g_strdup ("")
                                                             : random_string (rand, TRUE);
  guint8 agent = 0;
  guint16 device = 0;
  guint16 integrator = 0;
  WaJid *jid;

  if (g_str_equal (server, WA_SERVER_PN) || g_str_equal (server, WA_SERVER_LID) ||
      g_str_equal (server, WA_SERVER_HOSTED) || g_str_equal (server, WA_SERVER_HOSTED_LID))
    device = g_rand_boolean (rand) ? 0 : g_rand_int_range (rand, 0, 256);
  else if (g_str_equal (server, WA_SERVER_MSGR) || g_str_equal (server, WA_SERVER_INTEROP))
    device = g_rand_int_range (rand, 0, 65536);
  if (g_str_equal (server, WA_SERVER_PN) && g_rand_int_range (rand, 0, 8) == 0)
    agent = agents[g_rand_int_range (rand, 0, G_N_ELEMENTS (agents))];
  if (g_str_equal (server, WA_SERVER_INTEROP))
    integrator = g_rand_int_range (rand, 0, 65536);

  jid = wa_jid_new_full (user, server, agent, device, integrator, NULL);
  g_assert_nonnull (jid);
  return jid;
}

static WaNode *
random_node (GRand *rand,
             guint  depth)
{
  g_autofree char *tag = random_string (rand, FALSE);
  WaNode *node = wa_node_new (tag);
  guint n_attrs = g_rand_int_range (rand, 0, 8);

  /* Now and then enough attributes to need LIST_16 and the key index. */
  if (g_rand_int_range (rand, 0, 40) == 0)
    n_attrs = g_rand_int_range (rand, 100, 140);

  for (guint i = 0; i < n_attrs; i++)
    {
      g_autofree char *key = random_string (rand, FALSE);

      if (g_rand_int_range (rand, 0, 3) == 0)
        {
          g_autoptr(WaJid) jid = random_jid (rand);

          wa_node_set_attr_jid (node, key, jid);
        }
      else
        {
          g_autofree char *value = random_string (rand, TRUE);

          wa_node_set_attr (node, key, value);
        }
    }

  switch (g_rand_int_range (rand, 0, depth < 6 ? 4 : 2))
    {
    case 0:
      break;

    case 1:
      {
        gsize len = g_rand_int_range (rand, 0, 8) == 0 ? g_rand_int_range (rand, 250, 70000)
                                                       : g_rand_int_range (rand, 0, 40);
        guint8 *data = g_malloc (MAX (len, 1));

        for (gsize i = 0; i < len; i++)
          data[i] = g_rand_int_range (rand, 0, 256);
        wa_node_set_content_data (node, data, len);
        g_free (data);
      }
      break;

    default:
      {
        guint n_children = g_rand_int_range (rand, 0, 5);

        wa_node_ensure_children (node);
        for (guint i = 0; i < n_children; i++)
          wa_node_add_child (node, random_node (rand, depth + 1));
      }
      break;
    }

  return node;
}

static void
test_roundtrip_random (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (RANDOM_SEED);

  g_test_message ("seed %#x", RANDOM_SEED);
  for (guint i = 0; i < 1500; i++)
    {
      g_autoptr(WaNode) node = random_node (rand, 0);
      g_autoptr(GBytes) bytes = wa_binary_encode (node);
      g_autoptr(GBytes) frame = wa_binary_pack_frame (node);
      g_autoptr(WaNode) decoded = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *safe = NULL;

      decoded = wa_binary_decode (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
      g_assert_no_error (error);
      g_assert_true (wa_node_equal (node, decoded));
      g_clear_pointer (&decoded, wa_node_unref);

      decoded = unpack (frame, &error);
      g_assert_no_error (error);
      g_assert_true (wa_node_equal (node, decoded));
      assert_stable (decoded);

      /* Rendering never fails and is valid UTF-8 whatever the strings. */
      safe = wa_node_to_debug_string (node, WA_NODE_DEBUG_DEFAULT);
      g_assert_true (g_utf8_validate (safe, -1, NULL));
    }
}

/* Truncation, garbage and mutations */

static void
assert_prefixes_truncated (GBytes *payload)
{
  const guint8 *data = g_bytes_get_data (payload, NULL);
  gsize len = g_bytes_get_size (payload);

  for (gsize cut = 0; cut < len; cut++)
    {
      /* A copy of exactly cut bytes, so that valgrind and ASan see any
       * read past the end. */
      g_autofree guint8 *copy = g_memdup2 (data, cut);
      g_autoptr(GError) error = NULL;
      g_autoptr(WaNode) node = wa_binary_decode (copy, cut, &error);

      g_assert_error (error, WA_ERROR, WA_ERROR_TRUNCATED);
      g_assert_null (node);
    }
}

static void
test_truncated (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (RANDOM_SEED + 1);

  for (guint i = 0; i < G_N_ELEMENTS (vectors); i++)
    {
      g_autoptr(GBytes) frame = hex_bytes (vectors[i].hex);
      g_autoptr(GBytes) payload = g_bytes_new_from_bytes (frame, 1, g_bytes_get_size (frame) - 1);

      assert_prefixes_truncated (payload);

      for (gsize cut = 0; cut < g_bytes_get_size (frame); cut++)
        {
          g_autoptr(GBytes) prefix = g_bytes_new_from_bytes (frame, 0, cut);
          g_autoptr(GError) error = NULL;
          g_autoptr(WaNode) node = unpack (prefix, &error);

          g_assert_error (error, WA_ERROR, WA_ERROR_TRUNCATED);
          g_assert_null (node);
        }
    }

  for (guint i = 0; i < 60; i++)
    {
      g_autoptr(WaNode) node = random_node (rand, 3);
      g_autoptr(GBytes) payload = wa_binary_encode (node);

      if (g_bytes_get_size (payload) < 4096)
        assert_prefixes_truncated (payload);
    }
}

/* Decoding arbitrary bytes must fail cleanly or give a tree that is
 * stable under re-encoding. */
static void
check_arbitrary (const guint8 *data,
                 gsize         len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WaNode) node = wa_binary_decode (data, len, &error);

  if (node == NULL)
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == WA_ERROR);
      g_assert_true (error->code == WA_ERROR_MALFORMED || error->code == WA_ERROR_TRUNCATED);
      return;
    }
  g_assert_no_error (error);
  assert_stable (node);
  g_clear_pointer (&node, wa_node_unref);

  node = wa_binary_unpack_frame (data, len, &error);
  if (node != NULL)
    assert_stable (node);
}

static void
test_garbage (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (RANDOM_SEED + 2);
  guint n_decoded = 0;

  for (guint i = 0; i < 5000; i++)
    {
      gsize len = g_rand_int_range (rand, 0, 48);
      g_autofree guint8 *data = g_malloc (MAX (len, 1));
      g_autoptr(GError) error = NULL;
      g_autoptr(WaNode) node = NULL;

      for (gsize k = 0; k < len; k++)
        data[k] = g_rand_int_range (rand, 0, 256);
      /* Mostly well-started nodes, to get past the first byte. */
      if (len >= 2 && g_rand_int_range (rand, 0, 4) != 0)
        {
          data[0] = 0xf8;
          data[1] = g_rand_int_range (rand, 1, 8);
        }

      check_arbitrary (data, len);
      node = wa_binary_decode (data, len, &error);
      if (node != NULL)
        n_decoded++;
    }
  g_test_message ("%u of 5000 random strings decoded", n_decoded);
}

static void
test_mutations (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (RANDOM_SEED + 3);
  g_autoptr(GPtrArray) samples = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  guint n_decoded = 0;
  guint n_tried = 0;

  for (guint i = 0; i < G_N_ELEMENTS (vectors); i++)
    {
      g_autoptr(GBytes) frame = hex_bytes (vectors[i].hex);

      g_ptr_array_add (samples, g_bytes_new_from_bytes (frame, 1, g_bytes_get_size (frame) - 1));
    }
  while (samples->len < 40)
    {
      g_autoptr(WaNode) node = random_node (rand, 4);
      GBytes *bytes = wa_binary_encode (node);

      if (g_bytes_get_size (bytes) < 2048)
        g_ptr_array_add (samples, bytes);
      else
        g_bytes_unref (bytes);
    }

  for (guint s = 0; s < samples->len; s++)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (g_ptr_array_index (samples, s), &len);

      for (guint i = 0; i < 150; i++)
        {
          g_autofree guint8 *copy = g_memdup2 (data, len);
          g_autoptr(GError) error = NULL;
          g_autoptr(WaNode) node = NULL;
          gsize at = g_rand_int_range (rand, 0, len);

          /* Single-byte changes, with some bias towards the tag bytes. */
          switch (g_rand_int_range (rand, 0, 3))
            {
            case 0:
              copy[at] = g_rand_int_range (rand, 0, 256);
              break;
            case 1:
              copy[at] = g_rand_int_range (rand, 236, 256);
              break;
            default:
              copy[at] ^= 1u << g_rand_int_range (rand, 0, 8);
              break;
            }

          check_arbitrary (copy, len);
          node = wa_binary_decode (copy, len, &error);
          n_decoded += node != NULL;
          n_tried++;
        }
    }
  g_test_message ("%u of %u mutations still decoded", n_decoded, n_tried);
}

/* Node API */

static void
test_node_api (void)
{
  g_autoptr(WaNode) node = wa_node_new_with_attrs ("receipt",
                                                   "id", "ABC",
                                                   "participant", NULL,
                                                   "type", "read",
                                                   NULL);
  g_autoptr(WaJid) jid = wa_jid_parse ("15551234567:3@s.whatsapp.net", NULL);
  g_autoptr(WaJid) parsed = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(WaNode) other = NULL;
  g_autoptr(GBytes) content = g_bytes_new_static ("xyz", 3);
  WaNode *list;

  g_assert_cmpuint (wa_node_get_n_attrs (node), ==, 2);
  g_assert_false (wa_node_has_attr (node, "participant"));
  g_assert_true (wa_node_has_attr (node, "type"));

  /* Replacing keeps the place; a new key goes last. */
  wa_node_set_attr (node, "id", "DEF");
  wa_node_set_attrs (node, "t", "1700000000", "recipient", NULL, NULL);
  g_assert_cmpuint (wa_node_get_n_attrs (node), ==, 3);
  g_assert_cmpstr (wa_node_get_attr_key (node, 0), ==, "id");
  g_assert_cmpstr (wa_node_get_attr_value (node, 0), ==, "DEF");
  g_assert_cmpstr (wa_node_get_attr_key (node, 2), ==, "t");

  /* Text that is a JID parses on demand, but stays text. */
  wa_node_set_attr (node, "from", "15551234567:3@s.whatsapp.net");
  parsed = wa_node_get_attr_jid (node, "from");
  g_assert_true (wa_jid_equal (parsed, jid));
  g_assert_null (wa_node_peek_attr_jid (node, 3));

  /* A JID replaces text and the other way round. */
  wa_node_set_attr_jid (node, "from", jid);
  g_assert_nonnull (wa_node_peek_attr_jid (node, 3));
  g_assert_cmpstr (wa_node_get_attr (node, "from"), ==, "15551234567:3@s.whatsapp.net");
  wa_node_set_attr (node, "from", "x");
  g_assert_null (wa_node_peek_attr_jid (node, 3));
  g_assert_null (wa_node_get_attr_jid (node, "from"));
  g_assert_null (wa_node_get_attr_jid (node, "missing"));
  g_assert_null (wa_node_get_attr (node, "missing"));

  /* Children. */
  list = wa_node_add_child (node, wa_node_new ("list"));
  wa_node_add_children (list,
                        wa_node_new_with_attrs ("item", "id", "1", NULL),
                        wa_node_new ("other"),
                        wa_node_new_with_attrs ("item", "id", "2", NULL),
                        NULL);
  g_assert_cmpuint (wa_node_get_n_children (list), ==, 3);
  g_assert_cmpstr (wa_node_get_attr (wa_node_get_child_by_tag (list, "item"), "id"), ==, "1");
  g_assert_null (wa_node_get_child_by_tag (list, "none"));
  items = wa_node_get_children_by_tag (list, "item");
  g_assert_cmpuint (items->len, ==, 2);
  g_assert_cmpstr (wa_node_get_attr (g_ptr_array_index (items, 1), "id"), ==, "2");
  g_clear_pointer (&items, g_ptr_array_unref);
  items = wa_node_get_children_by_tag (list, "none");
  g_assert_cmpuint (items->len, ==, 0);
  assert_stable (node);

  /* Equality ignores attribute order, but not JID typing. */
  other = wa_node_new ("a");
  wa_node_set_attrs (other, "x", "1", "y", "2", NULL);
  {
    g_autoptr(WaNode) swapped = wa_node_new_with_attrs ("a", "y", "2", "x", "1", NULL);
    g_autoptr(WaNode) typed = wa_node_new_with_attrs ("a", "x", "1", NULL);
    g_autoptr(WaNode) untyped = wa_node_new_with_attrs ("a", "x", "1", NULL);

    g_assert_true (wa_node_equal (other, swapped));
    wa_node_set_attr_jid (typed, "y", jid);
    wa_node_set_attr (untyped, "y", "15551234567:3@s.whatsapp.net");
    g_assert_false (wa_node_equal (typed, untyped));
    g_assert_false (wa_node_equal (other, typed));
  }

  /* Content kinds replace one another; none differs from an empty list. */
  {
    g_autoptr(WaNode) a = wa_node_new ("a");
    g_autoptr(WaNode) b = wa_node_new ("a");

    wa_node_ensure_children (b);
    g_assert_false (wa_node_equal (a, b));
    wa_node_add_child (a, wa_node_new ("c"));
    wa_node_set_content_bytes (a, content);
    g_assert_cmpint (wa_node_get_content_type (a), ==, WA_NODE_CONTENT_BYTES);
    g_assert_null (wa_node_get_children (a));
    g_assert_true (wa_node_get_content_bytes (a) == content);
    wa_node_add_child (a, wa_node_new ("c"));
    g_assert_null (wa_node_get_content_bytes (a));
    g_assert_cmpuint (wa_node_get_n_children (a), ==, 1);
    wa_node_set_content_bytes (a, NULL);
    g_assert_cmpint (wa_node_get_content_type (a), ==, WA_NODE_CONTENT_NONE);
    wa_node_add_child (a, wa_node_new ("c"));
    wa_node_clear_content (a);
    g_assert_cmpint (wa_node_get_content_type (a), ==, WA_NODE_CONTENT_NONE);
  }
}

/* Nodes with many attributes look keys up through an index. */
static void
test_many_attrs (void)
{
  g_autoptr(WaNode) node = wa_node_new ("iq");
  g_autoptr(GBytes) bytes = NULL;
  const guint8 *data;

  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *key = g_strdup_printf ("k%u", i);
      g_autofree char *value = g_strdup_printf ("v%u", i);

      wa_node_set_attr (node, key, value);
    }
  wa_node_set_attr (node, "k7", "again");
  wa_node_set_attr (node, "k250", "again");
  g_assert_cmpuint (wa_node_get_n_attrs (node), ==, 300);
  g_assert_cmpstr (wa_node_get_attr (node, "k7"), ==, "again");
  g_assert_cmpstr (wa_node_get_attr_key (node, 250), ==, "k250");
  g_assert_cmpstr (wa_node_get_attr_value (node, 250), ==, "again");
  g_assert_cmpstr (wa_node_get_attr (node, "k299"), ==, "v299");
  g_assert_null (wa_node_get_attr (node, "k300"));

  /* 1 + 2 * 300 items: LIST_16. */
  bytes = wa_binary_encode (node);
  data = g_bytes_get_data (bytes, NULL);
  g_assert_cmpuint (data[0], ==, 0xf9);
  g_assert_cmpuint (data[1] << 8 | data[2], ==, 601);
  assert_stable (node);
}

static void
test_debug_string (void)
{
  g_autoptr(WaNode) message = vector_node (3);
  g_autoptr(WaNode) ack = vector_node (2);
  g_autoptr(WaNode) odd = wa_node_new_with_attrs ("x",
                                                  "q", "say \"hi\"\\\n",
                                                  "b", "\xff\xfe",
                                                  NULL);
  g_autofree char *safe = NULL;
  g_autofree char *indented = NULL;
  g_autofree char *escaped = NULL;

  /* By default neither numbers nor content show. */
  safe = wa_node_to_debug_string (message, WA_NODE_DEBUG_DEFAULT);
  g_assert_cmpstr (safe, ==,
                   "<message id=\"3EB0C767D26A1D8A4B26E1\" type=\"text\" "
                   "to=15*******67@s.whatsapp.net>"
                   "<participants><to jid=15*******67:2@s.whatsapp.net>"
                   "<enc v=\"2\" type=\"msg\">[1 bytes]</enc></to></participants></message>");
  g_assert_null (strstr (safe, "5551234"));
  g_clear_pointer (&safe, g_free);

  safe = wa_node_to_debug_string (ack, WA_NODE_DEBUG_DEFAULT);
  g_assert_cmpstr (safe, ==,
                   "<ack class=\"receipt\" id=\"22******68\" to=15*******67:1@s.whatsapp.net/>");

  indented = wa_node_to_debug_string (message, WA_NODE_DEBUG_FULL | WA_NODE_DEBUG_INDENT);
  g_assert_cmpstr (indented, ==,
                   "<message id=\"3EB0C767D26A1D8A4B26E1\" type=\"text\" "
                   "to=15551234567@s.whatsapp.net>\n"
                   "  <participants>\n"
                   "    <to jid=15551234567:2@s.whatsapp.net>\n"
                   "      <enc v=\"2\" type=\"msg\">33</enc>\n"
                   "    </to>\n"
                   "  </participants>\n"
                   "</message>");

  escaped = wa_node_to_debug_string (odd, WA_NODE_DEBUG_FULL);
  g_assert_cmpstr (escaped, ==, "<x q=\"say \\\"hi\\\"\\\\\\x0a\" b=\"\\xff\\xfe\"/>");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wa/tokens/tables", test_tokens);
  g_test_add_func ("/wa/tokens/version-2", test_tokens_v2);
  g_test_add_func ("/wa/binary/frame-dictionary-versions", test_frame_dictionary_versions);
  g_test_add_func ("/wa/jid/parse", test_jid_parse);
  g_test_add_func ("/wa/jid/helpers", test_jid_helpers);
  g_test_add_func ("/wa/node/api", test_node_api);
  g_test_add_func ("/wa/node/many-attrs", test_many_attrs);
  g_test_add_func ("/wa/node/debug-string", test_debug_string);
  g_test_add_func ("/wa/binary/vectors", test_vectors);
  g_test_add_func ("/wa/binary/decoded-types", test_decoded_types);
  g_test_add_func ("/wa/binary/strings", test_strings);
  g_test_add_func ("/wa/binary/content-bytes", test_content_bytes);
  g_test_add_func ("/wa/binary/encode-in-threads", test_encode_in_threads);
  g_test_add_func ("/wa/binary/packed-decoding", test_packed_decoding);
  g_test_add_func ("/wa/binary/jid-encoding", test_jid_encoding);
  g_test_add_func ("/wa/binary/jid-decoding", test_jid_decoding);
  g_test_add_func ("/wa/binary/structure", test_structure);
  g_test_add_func ("/wa/binary/empty-children", test_empty_children);
  g_test_add_func ("/wa/binary/depth", test_depth);
  g_test_add_func ("/wa/binary/duplicate-keys", test_duplicate_keys);
  g_test_add_func ("/wa/binary/compressed", test_compressed);
  g_test_add_func ("/wa/binary/inflate-cap", test_inflate_cap);
  g_test_add_func ("/wa/binary/roundtrip-random", test_roundtrip_random);
  g_test_add_func ("/wa/binary/truncated", test_truncated);
  g_test_add_func ("/wa/binary/garbage", test_garbage);
  g_test_add_func ("/wa/binary/mutations", test_mutations);

  return g_test_run ();
}
